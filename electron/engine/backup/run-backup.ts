import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import pLimit from 'p-limit';
import { compilePolicies, type PolicyResolver } from '../../../shared/policy.js';
import { StrataError, describeError } from '../../../shared/errors.js';
import type { Destination } from '../destinations/types.js';
import type { OpenedSource } from '../sources/open-source.js';
import type { ObjectDetails, Source, SourceEntry } from '../sources/types.js';
import type { ManifestEntry } from '../repository/manifest-schema.js';
import { sourceLabel, type Catalog, type DestinationRecord, type SourceRecord } from '../store/catalog.js';
import type { FileIndex, IndexedFile } from '../store/file-index.js';
import type { PolicyStore } from '../store/policy-store.js';
import type { RunResult, RunStatus, RunStore } from '../store/run-store.js';
import type { SnapshotCache } from '../store/snapshot-cache.js';
import { ByteBudget } from '../transfer/byte-budget.js';
import { Throttle } from '../transfer/throttle.js';
import { ProgressTracker, type ProgressSnapshot } from '../transfer/progress.js';
import { layoutOf } from '../destinations/config.js';
import type { VaultChunkStore } from '../store/vault-chunk-store.js';
import { VaultDestination } from '../vault/vault-destination.js';
import { DestinationSession, emptyCounters, isFatalForDestination } from './destination-session.js';
import { VaultSession } from './vault-session.js';
import { SMALL_FILE_LIMIT, fanOut, type FanOutResult, type FanOutTarget } from './fan-out.js';
import { WorkerPools } from './worker-pools.js';
import { LocalSource } from '../sources/local-source.js';
import { ensureRepoConfig } from '../repository/repo-config.js';
import { syncStatusWithDestination } from './sync-cache.js';
import { acquireRunLock } from './run-lock.js';
import { runHooks } from './hooks.js';
import type { HookStore } from '../store/hook-store.js';
import { assertNoNameClash } from './series-check.js';

export interface BackupDeps {
  catalog: Catalog;
  policies: PolicyStore;
  index: FileIndex;
  runs: RunStore;
  snapshots: SnapshotCache;
  openDestination(rec: DestinationRecord): Promise<Destination>;
  openSource(src: SourceRecord): Promise<OpenedSource>;
  /** Vault destinations: each content's chunk list, so unchanged files are not read again. */
  chunkLists: VaultChunkStore;
  /** Commands run before and after a source's backup (none when absent). */
  hooks?: HookStore | undefined;
  tmpDir: string;
  /** Where the one-backup-at-a-time lock lives (the data folder). */
  lockDir: string;
  version: string;
  now?: () => Date;
}

export interface BackupOptions {
  sources?: string[] | undefined;
  destinations?: string[] | undefined;
  trigger?: string;
  onProgress?: (p: ProgressSnapshot) => void;
  onLog?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Cancels at a safe point: the walk stops, files in flight finish, no snapshot is written, nothing is deleted. */
  signal?: AbortSignal | undefined;
  /** Files sent at once (default 48). */
  concurrency?: number | undefined;
  /** Upload limit in bytes per second across all destinations. */
  bandwidthLimit?: number | null | undefined;
  /** Called once the run has an id (before any work). */
  onStart?: (runId: number, destinations: DestinationRecord[]) => void;
}

export interface BackupOutcome {
  runId: number;
  status: RunStatus;
  results: (RunResult & { sourceName: string; destName: string })[];
  problems: { source: string; dest: string | undefined; path: string; error: string }[];
  /** Worker threads that read files into vaults (backup-workers.ts), at most at once; 0 when none ran. */
  workers: number;
}

/** In-flight bytes held in memory across all files being sent at once. */
const MEMORY_BUDGET = 96 * 1024 * 1024;
/**
 * Files queued to be sent, at most: the walk waits beyond this. Without it a tree of tiny files
 * (which weigh nothing against MEMORY_BUDGET) queued every file at once, ~1.5 KB of closures and
 * promises each: 1.5 GB for a million files.
 */
const MAX_QUEUED_FILES = 256;
const MAX_FILES_IN_FLIGHT = 48;
const MAX_PROBLEMS_RETURNED = 200;

/** One backup run: for every selected source, walk it once and feed each destination that wants its files. */
export async function runBackup(deps: BackupDeps, opts: BackupOptions = {}): Promise<BackupOutcome> {
  const now = deps.now ?? (() => new Date());
  const sources = opts.sources?.length ? opts.sources.map((s) => deps.catalog.source(s)) : deps.catalog.listSources();
  const allDests = opts.destinations?.length
    ? opts.destinations.map((d) => deps.catalog.destination(d))
    : deps.catalog.listDestinations();
  if (!sources.length) {
    throw new StrataError(
      'usage',
      'there are no sources to back up',
      "add one with 'strata source add local NAME PATH'",
    );
  }
  const lock = acquireRunLock(deps.lockDir);
  try {
    return await runLocked(deps, opts, sources, allDests, now);
  } finally {
    lock.release();
  }
}

async function runLocked(
  deps: BackupDeps,
  opts: BackupOptions,
  sources: SourceRecord[],
  allDests: DestinationRecord[],
  now: () => Date,
): Promise<BackupOutcome> {
  // Holding the lock, any run still marked running was killed.
  deps.runs.markInterrupted();
  const runId = deps.runs.start(opts.trigger ?? 'manual', now().getTime());
  opts.onStart?.(runId, allDests);
  const progress = new ProgressTracker(opts.onProgress ?? (() => undefined));
  const throttle = opts.bandwidthLimit ? new Throttle(opts.bandwidthLimit) : undefined;
  const outcome: BackupOutcome = { runId, status: 'ok', results: [], problems: [], workers: 0 };
  const log = (
    level: 'info' | 'warn' | 'error',
    message: string,
    ctx: { sourceId?: string; destId?: string; path?: string } = {},
  ): void => {
    deps.runs.log(runId, level, message, ctx);
    opts.onLog?.(level, message);
  };
  try {
    let planned = 0;
    for (const src of sources) {
      if (opts.signal?.aborted) break;
      const folderPolicies = deps.policies.forSource(src.id);
      const resolver = compilePolicies(folderPolicies);
      const dests = allDests.filter((d) => folderPolicies.some((p) => p.destinations[d.id] === true));
      if (!dests.length) {
        log(
          'warn',
          `source '${src.name}' has no policy sending it anywhere; set one with 'strata policy set ${src.name} / --to DEST'`,
          { sourceId: src.id },
        );
        continue;
      }
      planned++;
      await backupWithHooks(deps, {
        src,
        dests,
        resolver,
        runId,
        progress,
        outcome,
        log,
        now,
        signal: opts.signal,
        concurrency: opts.concurrency ?? MAX_FILES_IN_FLIGHT,
        throttle,
      });
    }
    if (!planned && !opts.signal?.aborted) {
      throw new StrataError(
        'usage',
        'no source is sent to any destination',
        "set a policy: 'strata policy set SOURCE / --to DEST'",
      );
    }
    progress.phase('done');
    deps.index.flush();
    outcome.status = opts.signal?.aborted ? 'cancelled' : overallStatus(outcome.results.map((r) => r.status));
    const firstError = opts.signal?.aborted
      ? 'cancelled: files sent so far are recorded, the next run continues from there'
      : outcome.results.find((r) => r.error)?.error;
    deps.runs.finish(runId, outcome.status, firstError, now().getTime());
    return outcome;
  } catch (err) {
    deps.index.flush();
    deps.runs.finish(runId, 'failed', describeError(err), now().getTime());
    throw err;
  }
}

interface SourceRun {
  src: SourceRecord;
  dests: DestinationRecord[];
  resolver: PolicyResolver;
  runId: number;
  progress: ProgressTracker;
  outcome: BackupOutcome;
  log: (
    level: 'info' | 'warn' | 'error',
    message: string,
    ctx?: { sourceId?: string; destId?: string; path?: string },
  ) => void;
  now: () => Date;
  signal: AbortSignal | undefined;
  concurrency: number;
  throttle: Throttle | undefined;
}

async function openSessions(deps: BackupDeps, run: SourceRun): Promise<DestinationSession[]> {
  const { src, now } = run;
  const sessions: DestinationSession[] = [];
  for (const d of run.dests) {
    const startedAt = now();
    let dest: Destination | undefined;
    try {
      dest = await deps.openDestination(d);
      await ensureRepoConfig(dest, layoutOf(d.config));
      // Uploads begun before this run (under the lock) belong to a run that died: abort them.
      await dest.sweep(startedAt);
      const parent = await syncStatusWithDestination({
        dest,
        destId: d.id,
        sourceId: src.id,
        index: deps.index,
        cache: deps.snapshots,
        tmpDir: deps.tmpDir,
      });
      if (parent === null) await assertNoNameClash(dest, src.id, src.name, deps.tmpDir);
      const header = {
        sourceKind: src.config.kind,
        sourceRoot: sourceLabel(src.config),
        hostname: hostname(),
        startedAt: startedAt.toISOString(),
        parent,
        strataVersion: deps.version,
      };
      if (dest instanceof VaultDestination) {
        const throttle = run.throttle;
        const session = new VaultSession(dest, deps.chunkLists, {
          destId: d.id,
          destName: d.name,
          sourceName: src.name,
          sourceId: src.id,
          header,
          tmpDir: deps.tmpDir,
          now: startedAt,
          pace: throttle && ((n) => throttle.take(n, run.signal)),
        });
        await session.start();
        sessions.push(session);
      } else {
        sessions.push(new DestinationSession(d.id, d.name, dest, src.name, src.id, header, deps.tmpDir, startedAt));
      }
    } catch (err) {
      // Not a session: nothing else will close it (and end a vault run's marker).
      await dest?.close().catch(() => undefined);
      const message = describeError(err);
      run.log('error', `${d.name}: ${message}`, { sourceId: src.id, destId: d.id });
      pushFailure(deps, run, d, message, startedAt, now());
    }
  }
  return sessions;
}

/** A destination this source's backup never reached (it could not be opened, a before-hook failed). */
function pushFailure(
  deps: BackupDeps,
  run: Pick<SourceRun, 'runId' | 'outcome' | 'src'>,
  d: DestinationRecord,
  message: string,
  startedAt: Date,
  finishedAt: Date,
): void {
  const result = {
    sourceId: run.src.id,
    destId: d.id,
    sourceName: run.src.name,
    destName: d.name,
    status: 'failed' as const,
    ...emptyCounters(),
    error: message,
    startedAt: startedAt.getTime(),
    finishedAt: finishedAt.getTime(),
  };
  run.outcome.results.push(result);
  deps.runs.saveResult(run.runId, result);
}

/** ok when every result is, failed when every one failed, else partial. */
function overallStatus(statuses: string[]): 'ok' | 'partial' | 'failed' {
  if (statuses.every((s) => s === 'ok')) return 'ok';
  return statuses.every((s) => s === 'failed') ? 'failed' : 'partial';
}

/**
 * A source's backup between its hooks: a failed before-hook means no backup (its destinations
 * show why); after-hooks run whenever the before-hooks ran, told the outcome.
 */
async function backupWithHooks(deps: BackupDeps, run: SourceRun): Promise<void> {
  const { src, dests, runId, outcome, now } = run;
  const hooks = deps.hooks?.forSource(src.id) ?? [];
  if (!hooks.length) return backupSource(deps, run);
  const log = (level: 'info' | 'warn' | 'error', message: string) => run.log(level, message, { sourceId: src.id });
  const env = {
    STRATA_RUN_ID: String(runId),
    STRATA_SOURCE: src.name,
    STRATA_SOURCE_KIND: src.config.kind,
    STRATA_DESTINATIONS: dests.map((d) => d.name).join(','),
  };
  const resultsBefore = outcome.results.length;
  const before = await runHooks(hooks, 'before', env, log);
  if (before) {
    const message = `the backup of '${src.name}' did not run: its before-backup hook failed (${before.message})`;
    for (const d of dests) pushFailure(deps, run, d, message, now(), now());
  } else {
    await backupSource(deps, run);
  }
  const mine = outcome.results.slice(resultsBefore);
  const after = {
    ...env,
    STRATA_STATUS: run.signal?.aborted ? 'cancelled' : overallStatus(mine.map((r) => r.status)),
    STRATA_SNAPSHOT_IDS: mine
      .filter((r) => r.snapshotId)
      .map((r) => `${r.destName}=${r.snapshotId}`)
      .join(','),
    STRATA_ERROR: mine.find((r) => r.error)?.error ?? '',
  };
  await runHooks(hooks, 'after', after, log);
}

async function backupSource(deps: BackupDeps, run: SourceRun): Promise<void> {
  const { src } = run;
  // Local files bound for a vault are read, hashed and sealed on worker threads when they can run.
  // For a first backup into a vault, which sends every file, the threads start loading now, while
  // the vault's key is derived and its index read; a later run starts them on its first changed
  // file, so that one which finds nothing changed starts none.
  const workers =
    src.config.kind === 'local'
      ? new WorkerPools((message) => run.log('warn', `${src.name}: ${message}`, { sourceId: src.id }))
      : undefined;
  const first = (d: DestinationRecord): boolean => deps.snapshots.syncedWith(src.id, d.id) === null;
  if (run.dests.some((d) => layoutOf(d.config) === 'vault' && first(d))) workers?.prestart();
  try {
    const sessions = await openSessions(deps, run);
    if (!sessions.length) return;
    deps.index.resetCache();
    await checkSourceRoot(src);
    let opened: OpenedSource;
    try {
      opened = await deps.openSource(src);
    } catch (err) {
      // Signed out of Drive, a bucket's secret gone: this source fails, the others still run.
      for (const s of sessions) s.fail(sourceFailure(src, err));
      await commitSessions(deps, run, sessions);
      return;
    }
    try {
      const source = opened.source;
      const direct = source instanceof LocalSource && source.readsDirectly ? workers : undefined;
      await walkAndSend(deps, run, sessions, source, direct);
    } finally {
      await opened.close();
    }
  } finally {
    if (workers) run.outcome.workers = Math.max(run.outcome.workers, await workers.threads());
    await workers?.close();
  }
}

/** Why a whole source failed, as a StrataError naming the source when it was not one already. */
function sourceFailure(src: SourceRecord, err: unknown): StrataError {
  return err instanceof StrataError
    ? err
    : new StrataError('io', `${src.name}: ${describeError(err)}`, undefined, { cause: err });
}

async function walkAndSend(
  deps: BackupDeps,
  run: SourceRun,
  sessions: DestinationSession[],
  source: Source,
  workers: WorkerPools | undefined,
): Promise<void> {
  run.progress.destinations(sessions.map((s) => s.destId));
  const pending = new Set<Promise<void>>();
  await walkSendAndCommit(deps, run, sessions, source, pending, workers);
}

async function walkSendAndCommit(
  deps: BackupDeps,
  run: SourceRun,
  sessions: DestinationSession[],
  source: Source,
  pending: Set<Promise<void>>,
  workers: WorkerPools | undefined,
): Promise<void> {
  const { src, progress, log } = run;
  const problem = (path: string, error: string, dest?: DestinationSession): void => {
    if (run.outcome.problems.length < MAX_PROBLEMS_RETURNED) {
      run.outcome.problems.push({ source: src.name, dest: dest?.destName, path, error });
    }
    log('warn', `${src.name}:${path}${dest ? ` → ${dest.destName}` : ''}: ${error}`, {
      sourceId: src.id,
      destId: dest?.destId,
      path,
    });
  };

  try {
    await walkEach(deps, run, sessions, source, pending, problem, workers);
  } catch (err) {
    // The source could not be walked to the end (signed out, listing refused): no snapshot and no
    // deletions from this run, for the walk did not see everything; what was sent stays recorded.
    for (const s of sessions) s.fail(sourceFailure(src, err));
  }
  progress.phase('transfer');
  await Promise.all(pending);
  if (run.signal?.aborted) {
    await cancelSessions(deps, run, sessions);
    return;
  }
  progress.phase('commit');

  await removeDeleted(deps, run, sessions, problem);
  deps.index.flush();
  await commitSessions(deps, run, sessions);
}

async function walkEach(
  deps: BackupDeps,
  run: SourceRun,
  sessions: DestinationSession[],
  source: Source,
  pending: Set<Promise<void>>,
  problem: (path: string, error: string, dest?: DestinationSession) => void,
  workers: WorkerPools | undefined,
): Promise<void> {
  const { src, resolver, runId, progress } = run;
  const budget = new ByteBudget(MEMORY_BUDGET);
  const queued = new ByteBudget(Math.max(MAX_QUEUED_FILES, run.concurrency * 4));
  const inFlight = pLimit(run.concurrency);
  const large = pLimit(2);
  const perDest = new Map(sessions.map((s) => [s.destId, pLimit(Math.min(s.dest.concurrency, run.concurrency))]));
  const live = (): DestinationSession[] => sessions.filter((s) => !s.fatal);
  for await (const item of source.walk({
    isExcluded: (p, isDir) => resolver.isExcluded(p, isDir) || (isDir && !resolver.shouldDescend(p)),
  })) {
    if (!live().length || run.signal?.aborted) break;
    if (item.type === 'error') {
      for (const s of live()) {
        s.counters.filesFailed++;
        s.writer.addError(item.path, item.error);
        keepPrevious(deps, src, s, item.path);
      }
      deps.index.markSeenPath(src.id, item.path, runId);
      problem(item.path, item.error);
      continue;
    }
    if (item.path === '') continue;
    const wanted = new Set(
      resolver.destinationsFor(item.path, item.type === 'file' ? item.size : undefined, item.type === 'dir'),
    );
    const targets = live().filter((s) => wanted.has(s.destId));
    const idx = deps.index.lookup(src.id, item.path);
    // A destination that held this path but no longer wants it (policy changed) lets it go.
    for (const s of live()) {
      if (!wanted.has(s.destId) && idx?.status.has(s.destId)) {
        if (idx.type === 'file')
          await s.remove(item.path).catch((err: unknown) => problem(item.path, describeError(err), s));
        deps.index.removeStatus(idx.id, s.destId);
      }
    }
    // A path that changed type (file ↔ folder ↔ link) first lets go of what it was.
    if (idx && idx.type !== item.type) await dropOldType(deps, run, idx, item.path, live(), problem);
    if (item.type !== 'file') {
      const id =
        idx && idx.type === item.type
          ? idx.id
          : deps.index.upsert(src.id, item.path, { type: item.type, size: 0, mtimeMs: item.mtimeMs }, runId);
      deps.index.markSeen(id, runId);
      for (const s of targets) await s.add(entryOf(item));
      continue;
    }
    // A Google Doc's export size is known only once exported: an unchanged one keeps the size it had.
    if (item.sizeUnknown && idx?.type === 'file' && idx.identity === item.identity && idx.sha256) item.size = idx.size;
    progress.scanned(item.size);
    if (!targets.length) {
      // Sent nowhere (over the size cap, or in a folder walked only for what is ticked below it).
      if (idx) deps.index.markSeen(idx.id, runId);
      continue;
    }
    const unchanged =
      idx !== undefined &&
      idx.type === 'file' &&
      idx.sha256 !== null &&
      idx.size === item.size &&
      idx.mtimeMs === item.mtimeMs &&
      (idx.inode === null || item.inode === undefined || idx.inode === item.inode) &&
      (idx.identity === null || item.identity === undefined || idx.identity === item.identity);
    const needs = targets.filter((s) => {
      const st = idx?.status.get(s.destId);
      return !(unchanged && st?.state === 'synced' && st.sha256 === idx.sha256);
    });
    if (!needs.length) {
      deps.index.markSeen(idx!.id, runId);
      for (const s of targets) await s.add({ ...entryOf(item, idx!.details), sha256: idx!.sha256! });
      continue;
    }
    for (const s of targets.filter((t) => !needs.includes(t))) {
      await s.add({ ...entryOf(item, idx!.details), sha256: idx!.sha256! });
    }
    progress.planned(
      item.size,
      needs.map((s) => s.destId),
    );
    // A known file waiting to be sent again is marked pending (its badge shows it). A new file
    // needs no mark: having no status for a destination that wants it already says pending.
    if (idx) {
      for (const s of needs) deps.index.setStatus(idx.id, { destId: s.destId, state: 'pending', error: null });
    }
    const weight = Math.min(item.size, SMALL_FILE_LIMIT);
    await queued.acquire(1);
    await budget.acquire(weight);
    const job = inFlight(() =>
      (item.size > SMALL_FILE_LIMIT ? large : (fn: () => Promise<void>) => fn())(() =>
        sendFile(deps, { run, source, entry: item, idx, targets: needs, perDest, problem, workers }),
      ),
    ).finally(() => {
      budget.release(weight);
      queued.release(1);
      pending.delete(job);
    });
    pending.add(job);
  }
}

async function commitSessions(deps: BackupDeps, run: SourceRun, sessions: DestinationSession[]): Promise<void> {
  const { src, runId, log } = run;
  for (const s of sessions) {
    const result: RunResult & { sourceName: string; destName: string } = {
      sourceId: src.id,
      destId: s.destId,
      sourceName: src.name,
      destName: s.destName,
      status: 'ok',
      ...s.counters,
      startedAt: s.startedAt,
    };
    if (!s.fatal) {
      try {
        const written = await s.commit(run.now());
        if (s.counters.storedBytes !== undefined) {
          result.storedBytes = s.counters.storedBytes;
          result.storedObjects = s.counters.storedObjects;
        }
        deps.snapshots.put({
          destId: s.destId,
          snapshotId: s.snapshotId,
          sourceId: src.id,
          sourceName: src.name,
          time: run.now().getTime(),
          files: written.summary.files,
          bytes: written.summary.bytes,
          errors: written.summary.errorCount,
          manifestKey: written.key,
        });
        deps.snapshots.setSyncedWith(src.id, s.destId, s.snapshotId);
        result.snapshotId = s.snapshotId;
        log('info', `${src.name} → ${s.destName}: snapshot ${s.snapshotId} (${written.summary.files} files)`, {
          sourceId: src.id,
          destId: s.destId,
        });
      } catch (err) {
        s.fail(err);
      }
    } else {
      await s.writer.discard();
    }
    result.status = s.status();
    if (s.fatal) {
      result.error = s.fatal.oneLine();
      log('error', `${s.destName}: ${result.error}`, { sourceId: src.id, destId: s.destId });
    } else if (s.counters.filesFailed) {
      result.error = `${s.counters.filesFailed} file(s) could not be backed up`;
    }
    result.finishedAt = run.now().getTime();
    deps.runs.saveResult(runId, result);
    run.outcome.results.push(result);
    await s.dest.close();
  }
}

/**
 * A cancelled run writes no snapshot and deletes nothing (the walk did not see everything), but
 * what it sent is recorded in the index, so the next run does not send it again.
 */
async function cancelSessions(deps: BackupDeps, run: SourceRun, sessions: DestinationSession[]): Promise<void> {
  deps.index.flush();
  for (const s of sessions) {
    await s.writer.discard();
    const result: RunResult & { sourceName: string; destName: string } = {
      sourceId: run.src.id,
      destId: s.destId,
      sourceName: run.src.name,
      destName: s.destName,
      ...s.counters,
      status: 'cancelled',
      error: 'cancelled before the snapshot was written',
      startedAt: s.startedAt,
      finishedAt: run.now().getTime(),
    };
    deps.runs.saveResult(run.runId, result);
    run.outcome.results.push(result);
    await s.dest.close();
  }
  run.log('warn', `${run.src.name}: cancelled; files sent so far are recorded and will not be sent again`, {
    sourceId: run.src.id,
  });
}

/** Removes a file's objects (it became a folder or link), or everything under a folder (it became a file). */
async function dropOldType(
  deps: BackupDeps,
  run: SourceRun,
  idx: IndexedFile,
  path: string,
  sessions: DestinationSession[],
  problem: (path: string, error: string, dest?: DestinationSession) => void,
): Promise<void> {
  const files =
    idx.type === 'file' ? [{ id: idx.id, path }] : idx.type === 'dir' ? deps.index.filesUnder(run.src.id, path) : [];
  for (const f of files) {
    const held = new Set(deps.index.statusesOf(f.id));
    for (const s of sessions.filter((x) => held.has(x.destId))) {
      try {
        await s.remove(f.path);
        deps.index.removeStatus(f.id, s.destId);
      } catch (err) {
        problem(f.path, describeError(err), s);
      }
    }
  }
  if (idx.type === 'dir') deps.index.removeFiles(files.map((f) => f.id));
}

/** A local folder that is not there (an unmounted disk) must not read as "everything was deleted". */
async function checkSourceRoot(src: SourceRecord): Promise<void> {
  if (src.config.kind !== 'local') return;
  const s = await stat(src.config.path).catch(() => undefined);
  if (!s?.isDirectory()) {
    throw new StrataError(
      'not-found',
      `source folder ${src.config.path} of '${src.name}' does not exist`,
      'mount or restore the folder, or remove the source',
    );
  }
}

/** A manifest entry for what the walk found; `known` details stand in for a file not read this time. */
function entryOf(item: SourceEntry, known?: ObjectDetails | null): Omit<ManifestEntry, 'sha256'> {
  return {
    path: item.path,
    type: item.type,
    mtime: item.mtimeMs,
    ...(item.type === 'file' ? { size: item.size } : {}),
    ...(item.mode !== undefined ? { mode: item.mode } : {}),
    ...(item.linkTarget !== undefined ? { target: item.linkTarget } : {}),
    ...(item.rawPath ? { raw: item.rawPath.toString('base64') } : {}),
    ...detailFields(item.details ?? known),
  };
}

function detailFields(d: ObjectDetails | null | undefined): Pick<ManifestEntry, 'contentType' | 'meta'> {
  return {
    ...(d?.contentType ? { contentType: d.contentType } : {}),
    ...(d?.metadata && Object.keys(d.metadata).length ? { meta: d.metadata } : {}),
  };
}

/** A file that could not be sent this time stays in the snapshot at the version the destination already holds. */
function keepPrevious(
  deps: BackupDeps,
  src: SourceRecord,
  s: DestinationSession,
  path: string,
  idx?: IndexedFile,
): void {
  const row = idx ?? deps.index.lookup(src.id, path);
  const st = row?.status.get(s.destId);
  const holds = st?.state === 'synced' || st?.state === 'pending';
  if (!row || row.type !== 'file' || !holds || !st?.sha256 || row.sha256 !== st.sha256) return;
  void s.add({
    path,
    type: 'file',
    size: row.size,
    mtime: row.mtimeMs,
    ...detailFields(row.details),
    sha256: st.sha256,
  });
}

interface SendJob {
  run: SourceRun;
  source: Source;
  entry: SourceEntry;
  idx: IndexedFile | undefined;
  targets: DestinationSession[];
  perDest: Map<string, ReturnType<typeof pLimit>>;
  problem: (path: string, error: string, dest?: DestinationSession) => void;
  workers: WorkerPools | undefined;
}

/**
 * A local file bound for one vault alone goes to that vault's worker threads, as fanOut would
 * send it (the same result); undefined when it cannot (another destination wants it too, no
 * workers here), and the caller reads it itself. A failed read throws, as fanOut's does.
 */
async function sendThroughWorkers(job: SendJob, live: DestinationSession[]): Promise<FanOutResult | undefined> {
  const { run, source, entry, idx, workers } = job;
  const s = live[0];
  if (!workers || live.length !== 1 || !(s instanceof VaultSession) || entry.streamed) return undefined;
  if (!(source instanceof LocalSource)) return undefined;
  const pool = await workers.for(s);
  if (!pool) return undefined;
  const facts = { path: entry.path, size: entry.size, mtimeMs: entry.mtimeMs };
  const result = await s.storeWith(pool, source.pathOf(entry), facts, {
    read: (n) => run.progress.sentBytes(n),
    stored: (n) => run.progress.destBytes(s.destId, n),
    stopped: () => run.signal?.aborted === true,
  });
  if (!result) return undefined;
  if (!result.ok) {
    if (result.reading) throw result.error;
    return { sha256: '', bytes: 0, sent: [false], errors: [result.error] };
  }
  const { sha256, bytes } = result.done;
  const st = idx?.status.get(s.destId);
  // As fanOut counts it: a file the vault already held at this content was not uploaded.
  return { sha256, bytes, sent: [!(st?.state === 'synced' && st.sha256 === sha256)], errors: [undefined] };
}

async function sendFile(deps: BackupDeps, job: SendJob): Promise<void> {
  const { run, source, entry, idx, targets, perDest, problem } = job;
  const previous = (s: DestinationSession): string | null | undefined => idx?.status.get(s.destId)?.sha256;
  const makeTarget = (s: DestinationSession): FanOutTarget => {
    const wants = (sha: string): boolean => !(idx?.status.get(s.destId)?.state === 'synced' && previous(s) === sha);
    if (s instanceof VaultSession) return s.target(entry.path, { wants }, (n) => run.progress.destBytes(s.destId, n));
    const key = s.keyFor(entry.path);
    const limit = perDest.get(s.destId)!;
    const prepare = async (): Promise<void> => {
      if (previous(s)) await s.preserve(entry.path);
    };
    return {
      wants,
      sendBuffer: (body, sha) =>
        limit(async () => {
          await prepare();
          await run.throttle?.take(body.length, run.signal);
          await s.dest.putBuffer(key, body, sha);
          run.progress.destBytes(s.destId, body.length);
        }),
      sendStream: (body, size, sha, onBytes) =>
        limit(async () => {
          await prepare();
          const paced = run.throttle ? run.throttle.pace(body) : body;
          await s.dest.putStream(key, paced, {
            size,
            sha256: sha,
            onProgress: (n) => {
              onBytes(n);
              run.progress.destBytes(s.destId, n);
            },
          });
        }),
    };
  };
  const live = targets.filter((s) => !s.fatal);
  let result;
  for (let attempt = 1; ; attempt++) {
    try {
      result =
        (await sendThroughWorkers(job, live)) ??
        (await fanOut(source, entry, live.map(makeTarget), (n) => run.progress.sentBytes(n / live.length)));
      const changed = result.errors.find((e) => e instanceof StrataError && e.code === 'changed-while-reading');
      if (changed && attempt < 2) continue;
      break;
    } catch (err) {
      // A worker gave the file up because the run was cancelled: it stays pending, not failed.
      if (run.signal?.aborted && (err as Error | undefined)?.name === 'AbortError') return;
      // Reading failed before anything was sent (unreadable, vanished, changed twice).
      const message = describeError(err);
      for (const s of live) {
        if (entry.streamed) s.fail(err); // a command that fails leaves the previous snapshot as the latest
        s.counters.filesFailed++;
        s.writer.addError(entry.path, message);
        keepPrevious(deps, run.src, s, entry.path, idx);
        if (idx) deps.index.setStatus(idx.id, { destId: s.destId, state: 'failed', error: message });
      }
      if (idx) deps.index.markSeen(idx.id, run.runId);
      else deps.index.markSeenPath(run.src.id, entry.path, run.runId);
      problem(entry.path, message);
      run.progress.fileDone(
        entry.path,
        true,
        live.map((s) => [s.destId, false]),
      );
      return;
    }
  }
  const ok = result.errors.some((e) => e === undefined);
  if (entry.streamed) entry.size = result.bytes;
  const id = deps.index.upsert(
    run.src.id,
    entry.path,
    {
      type: 'file',
      size: entry.size,
      mtimeMs: entry.mtimeMs,
      inode: entry.inode,
      identity: entry.identity,
      details: entry.details,
      sha256: ok ? result.sha256 : undefined,
    },
    run.runId,
  );
  let anyFailed = false;
  const perDestOk: [string, boolean][] = [];
  for (let i = 0; i < live.length; i++) {
    const s = live[i]!;
    const err = result.errors[i];
    perDestOk.push([s.destId, err === undefined]);
    if (err === undefined) {
      if (result.sent[i]) {
        s.counters.filesUploaded++;
        s.counters.bytesUploaded += entry.size;
      }
      deps.index.setStatus(id, {
        destId: s.destId,
        state: 'synced',
        sha256: result.sha256,
        remoteKey: s.keyFor(entry.path),
        error: null,
      });
      await s.add({ ...entryOf(entry), sha256: result.sha256 });
      continue;
    }
    anyFailed = true;
    const message = describeError(err);
    if (isFatalForDestination(err) || entry.streamed) s.fail(err);
    s.counters.filesFailed++;
    s.writer.addError(entry.path, message);
    keepPrevious(deps, run.src, s, entry.path, idx);
    deps.index.setStatus(id, { destId: s.destId, state: 'failed', error: message });
    problem(entry.path, message, s);
  }
  run.progress.fileDone(entry.path, anyFailed, perDestOk);
}

/** Paths gone from the source: their current objects move to history/, then leave files/. */
async function removeDeleted(
  deps: BackupDeps,
  run: SourceRun,
  sessions: DestinationSession[],
  problem: (path: string, error: string, dest?: DestinationSession) => void,
): Promise<void> {
  const byId = new Map(sessions.map((s) => [s.destId, s]));
  const limit = pLimit(16);
  const work: Promise<number | undefined>[] = [];
  for (const f of deps.index.unseen(run.src.id, run.runId)) {
    const held = deps.index.statusesOf(f.id);
    const kept = held.some((destId) => !byId.get(destId) || byId.get(destId)!.fatal);
    const mine = held.map((destId) => byId.get(destId)).filter((s): s is DestinationSession => !!s && !s.fatal);
    work.push(
      limit(async () => {
        let ok = true;
        for (const s of f.type === 'file' ? mine : []) {
          try {
            await s.remove(f.path);
            deps.index.removeStatus(f.id, s.destId);
          } catch (err) {
            ok = false;
            problem(f.path, describeError(err), s);
            if (isFatalForDestination(err)) s.fail(err);
          }
        }
        return ok && !kept ? f.id : undefined;
      }),
    );
  }
  const gone = (await Promise.all(work)).filter((id): id is number => id !== undefined);
  deps.index.removeFiles(gone);
}
