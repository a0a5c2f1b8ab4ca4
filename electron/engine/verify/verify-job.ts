/**
 * A verification run of one destination: list its snapshots, check every stored version they
 * reference (quick or deep, the deep sample rotating from run to run), find which other
 * destinations hold what this one lacks, and keep the report. Also the repair that copies those
 * versions across.
 */
import { layoutOf } from '../destinations/config.js';
import type { VerifyProblem } from '../../../shared/api/entities.js';
import { describeError, StrataError } from '../../../shared/errors.js';
import type { Destination } from '../destinations/types.js';
import type { SnapshotInfo } from '../repository/snapshot-list.js';
import type { DestinationRecord } from '../store/catalog.js';
import type { VerifyRecord, VerifyStore } from '../store/verify-store.js';
import { holds, repairVersion } from './repair.js';
import { nextStart } from './sample.js';
import type { StoredVersion } from './stored-versions.js';
import { verifyDestination, type VerifyProgress } from './verify-destination.js';

/** Problems kept per report (a destination that lost everything need not list a million lines). */
const MAX_PROBLEMS = 1000;
/** Problems for which other destinations are asked whether they hold the version. */
const MAX_REPAIR_LOOKUPS = 200;

/** A problem as stored: what the API shows, plus what a repair needs. */
export type StoredProblem = VerifyProblem & { version?: StoredVersion; damagedKey?: string };

export interface VerifyDeps {
  store: VerifyStore;
  destinations: () => DestinationRecord[];
  destination: (name: string) => DestinationRecord;
  openDestination: (rec: DestinationRecord) => Promise<Destination>;
  listSnapshots: (name: string) => Promise<SnapshotInfo[]>;
  tmpDir: string;
  now: () => number;
}

export interface VerifyRunOptions {
  deep?: boolean | undefined;
  /** Deep: percent of stored versions read this run (1-100). */
  samplePercent?: number | undefined;
  runId?: number | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((p: VerifyProgress) => void) | undefined;
}

export async function runVerify(
  deps: VerifyDeps,
  destName: string,
  opts: VerifyRunOptions = {},
): Promise<VerifyRecord> {
  const rec = deps.destination(destName);
  const deep = opts.deep ?? false;
  const width = deep ? Math.min(100, Math.max(1, opts.samplePercent ?? 100)) : 0;
  const start = deep ? deps.store.sampleCursor(rec.id) : 0;
  const id = deps.store.start(rec.id, deep ? 'deep' : 'quick', deep ? width : 0, deps.now(), opts.runId);
  const base = { snapshots: 0, objects: 0, objectsRead: 0, bytesRead: 0, snapshotIds: [], badSnapshotIds: [] };
  let dest: Destination | undefined;
  try {
    const snapshots = await deps.listSnapshots(destName);
    dest = await deps.openDestination(rec);
    const outcome = await verifyDestination({
      dest,
      snapshots,
      tmpDir: deps.tmpDir,
      deep,
      sample: { start, width },
      signal: opts.signal,
      onProgress: opts.onProgress,
    });
    const problems: StoredProblem[] = outcome.problems
      .slice(0, MAX_PROBLEMS)
      .map((p) => ({ ...p, repairableFrom: [] }));
    await findHolders(deps, rec, problems.slice(0, MAX_REPAIR_LOOKUPS));
    const cancelled = opts.signal?.aborted === true;
    deps.store.finish(
      id,
      {
        status: cancelled ? 'cancelled' : problems.length ? 'failed' : 'ok',
        snapshots: snapshots.length,
        objects: outcome.objects,
        objectsRead: outcome.objectsRead,
        bytesRead: outcome.bytesRead,
        problems,
        snapshotIds: cancelled ? [] : outcome.snapshotIds,
        badSnapshotIds: [...outcome.badSnapshotIds],
        error: cancelled ? 'cancelled' : null,
      },
      deps.now(),
    );
    if (deep && !cancelled) deps.store.setSampleCursor(rec.id, nextStart(start, width));
  } catch (err) {
    deps.store.finish(id, { ...base, status: 'error', problems: [], error: describeError(err) }, deps.now());
  } finally {
    await dest?.close().catch(() => undefined);
  }
  return deps.store.get(id)!;
}

/** For each problem, the other destinations that hold the same version. */
async function findHolders(deps: VerifyDeps, self: DestinationRecord, problems: StoredProblem[]): Promise<void> {
  // Copying objects across fits the mirror layout only: a vault takes content back through a backup.
  if (!problems.length || layoutOf(self.config) === 'vault') return;
  for (const other of deps.destinations()) {
    if (other.id === self.id) continue;
    let dest: Destination | undefined;
    try {
      dest = await deps.openDestination(other);
      for (const p of problems) {
        if (p.version && (await holds(dest, p.version).catch(() => false))) p.repairableFrom.push(other.name);
      }
    } catch {
      // An unreachable destination holds nothing we can copy now.
    } finally {
      await dest?.close().catch(() => undefined);
    }
  }
}

export interface RepairOutcome {
  repaired: number;
  failed: { path: string; error: string }[];
}

/** Copies the versions a report found missing or damaged from `fromName`, each checked by its SHA-256. */
export async function repairFromReport(
  deps: VerifyDeps,
  destName: string,
  fromName: string,
  reportId: number,
): Promise<RepairOutcome> {
  const rec = deps.destination(destName);
  const fromRec = deps.destination(fromName);
  if (rec.id === fromRec.id)
    throw new StrataError('usage', 'a destination cannot be repaired from itself', 'name another destination');
  if (layoutOf(rec.config) === 'vault' || layoutOf(fromRec.config) === 'vault') {
    throw new StrataError(
      'usage',
      'repair copies stored objects between mirror destinations; a vault keeps content in sealed packs',
      'restore the damaged files from another destination, or back up to a fresh vault',
    );
  }
  const report = deps.store.get(reportId);
  if (!report || report.destId !== rec.id) {
    throw new StrataError(
      'not-found',
      `no verification report ${reportId} of '${destName}'`,
      `run 'strata verify ${destName}' first`,
    );
  }
  const problems = (report.problems as StoredProblem[]).filter((p) => p.version && p.kind !== 'unreadable');
  const out: RepairOutcome = { repaired: 0, failed: [] };
  const [target, from] = await Promise.all([deps.openDestination(rec), deps.openDestination(fromRec)]);
  try {
    for (const p of problems) {
      try {
        if (!(await holds(from, p.version!)))
          throw new StrataError('not-found', `${fromName} does not hold this version either`);
        await repairVersion(target, from, p.version!, deps.tmpDir, p.damagedKey);
        out.repaired++;
      } catch (err) {
        out.failed.push({ path: p.path, error: describeError(err) });
      }
    }
  } finally {
    await Promise.all([target.close(), from.close()]).catch(() => undefined);
  }
  return out;
}

/** A problem as the API shows it. */
export function publicProblem(p: StoredProblem): VerifyProblem {
  return { path: p.path, snapshotId: p.snapshotId, kind: p.kind, detail: p.detail, repairableFrom: p.repairableFrom };
}
