/**
 * `strata versions` / `versions.list`: every stored version of one file across the snapshots of
 * its source, per destination. Manifests are streamed once each into the version cache; later
 * questions (any path of that source) read only the cache and the manifests of newer snapshots.
 */
import type { FileVersion } from '../../../shared/api/entities.js';
import { describeError, StrataError } from '../../../shared/errors.js';
import type { Engine } from '../engine.js';
import { ManifestFile } from '../repository/manifest-reader.js';
import type { SnapshotInfo } from '../repository/snapshot-list.js';
import type { DestinationRecord } from '../store/catalog.js';
import { newestFirst, planFold, VersionCache, type FoldedEntry } from './version-cache.js';

export interface VersionsQuery {
  /** A source set up here (name or id), or the name or id of a series on the destinations. */
  source: string;
  /** Relative to the source's root ('docs/a.txt'). */
  path: string;
  destination?: string | undefined;
}

export interface VersionsResult {
  versions: FileVersion[];
  /** Destinations that could not be read (the others still answered). */
  failures: { destination: string; error: string }[];
}

const BATCH = 2000;
/** A manifest that cannot be read is no version of anything: folded as empty, so it is not read again. */
const UNREADABLE = new Set(['corrupt', 'tampered', 'unsafe-path', 'format-too-new', 'not-found']);
/** One fold at a time per (destination, source) in this process. */
const folding = new Map<string, Promise<void>>();

export async function listVersions(engine: Engine, q: VersionsQuery): Promise<VersionsResult> {
  const path = q.path;
  const dests = q.destination ? [engine.catalog.destination(q.destination)] : engine.catalog.listDestinations();
  if (!dests.length) {
    throw new StrataError(
      'not-found',
      'there are no destinations',
      "add the one holding your backups with 'strata dest add'",
    );
  }
  const cache = new VersionCache(engine.db);
  const configured = engine.catalog.listSources().find((s) => s.name === q.source || s.id === q.source);
  const versions: FileVersion[] = [];
  const failures: VersionsResult['failures'] = [];
  const seriesSeen = new Set<string>();
  for (const d of dests) {
    let listed: SnapshotInfo[];
    try {
      listed = (await engine.listSnapshots(d.name)).filter((s) => !s.damaged);
    } catch (err) {
      if (q.destination) throw err;
      failures.push({ destination: d.name, error: describeError(err) });
      continue;
    }
    const sourceId = configured?.id ?? seriesOf(listed, q.source);
    if (!sourceId) continue;
    seriesSeen.add(sourceId);
    const snaps = listed.filter((s) => s.sourceId === sourceId);
    try {
      await foldSeries(engine, cache, d, sourceId, snaps);
    } catch (err) {
      if (q.destination) throw err;
      failures.push({ destination: d.name, error: describeError(err) });
      continue;
    }
    for (const v of cache.versionsOf(d.id, sourceId, path)) {
      versions.push({
        destination: d.name,
        snapshotId: v.lastId,
        firstSeen: v.firstTime,
        lastSeen: v.lastTime,
        snapshots: v.snapshots,
        size: v.size,
        mtime: v.mtime,
        sha256: v.sha256,
      });
    }
  }
  if (!configured && !seriesSeen.size && !failures.length) {
    const known = engine.catalog.listSources().map((s) => s.name);
    throw new StrataError(
      'not-found',
      `no source named '${q.source}' here or on ${q.destination ? `'${q.destination}'` : 'the destinations'}`,
      known.length ? `known sources: ${known.join(', ')}` : "list the snapshots' sources with 'strata snapshots'",
    );
  }
  return { versions: newestFirst(versions), failures };
}

/** The series a name stands for on one destination when no source here has it (a new machine). */
function seriesOf(list: SnapshotInfo[], nameOrId: string): string | undefined {
  const ids = [
    ...new Set(list.filter((s) => s.sourceId === nameOrId || s.sourceName === nameOrId).map((s) => s.sourceId)),
  ];
  if (ids.length > 1) {
    throw new StrataError(
      'usage',
      `several snapshot series are named '${nameOrId}' (${ids.join(', ')})`,
      'name one by its id (the sourceId in strata snapshots --json)',
    );
  }
  return ids[0];
}

async function foldSeries(
  engine: Engine,
  cache: VersionCache,
  rec: DestinationRecord,
  sourceId: string,
  snaps: SnapshotInfo[],
): Promise<void> {
  const key = `${rec.id}\u0000${sourceId}`;
  // Wait for a fold of the same series already running, then look again (it may have done the work).
  for (let running = folding.get(key); running; running = folding.get(key)) await running.catch(() => undefined);
  const work = foldNew(engine, cache, rec, sourceId, snaps);
  folding.set(key, work);
  try {
    await work;
  } finally {
    folding.delete(key);
  }
}

async function foldNew(
  engine: Engine,
  cache: VersionCache,
  rec: DestinationRecord,
  sourceId: string,
  snaps: SnapshotInfo[],
): Promise<void> {
  const byId = new Map(snaps.map((s) => [s.snapshotId, s]));
  const plan = planFold(cache.folded(rec.id, sourceId), [...byId.keys()]);
  if (plan.reset) cache.reset(rec.id, sourceId);
  if (!plan.toFold.length) return;
  const dest = await engine.openDestination(rec);
  try {
    for (const id of plan.toFold) {
      const snap = byId.get(id)!;
      let mf: ManifestFile;
      try {
        mf = await ManifestFile.fetch(dest, snap.manifestKey, engine.tmpDir);
      } catch (err) {
        if (err instanceof StrataError && UNREADABLE.has(err.code)) {
          cache.markFolded(rec.id, sourceId, id);
          continue;
        }
        throw err;
      }
      try {
        const at = { id, time: snap.time.getTime() };
        let batch: FoldedEntry[] = [];
        for await (const e of mf.entries()) {
          if (e.type !== 'file' || e.sha256 === undefined) continue;
          batch.push({ path: e.path, sha256: e.sha256, size: e.size ?? 0, mtime: e.mtime });
          if (batch.length >= BATCH) {
            cache.fold(rec.id, sourceId, at, batch);
            batch = [];
          }
        }
        cache.fold(rec.id, sourceId, at, batch);
        cache.markFolded(rec.id, sourceId, id);
      } finally {
        await mf.dispose();
      }
    }
  } finally {
    await dest.close();
  }
}
