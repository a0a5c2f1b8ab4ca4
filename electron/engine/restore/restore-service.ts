/**
 * The restore wizard's API (snapshots.browse, restore.count/targets/preview/start/report) over the
 * engine. A restore runs in the service's one running slot, as a run of its own (trigger 'restore'):
 * Activity lists it, its progress arrives as run.progress, and runs.cancel stops it between files.
 */
import { join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import type {
  ActiveRun,
  BucketSourceDraft,
  Progress,
  RestorePreview,
  RestoreReportInfo,
  RestoreRequest,
  RestoreSelection,
  RestoreTarget,
  RestoreTargets,
  RunStatus,
  SnapshotPage,
} from '../../../shared/api/entities.js';
import { describeError, StrataError } from '../../../shared/errors.js';
import { isSameOrUnder, normalizeFolder } from '../../../shared/paths.js';
import type { Destination } from '../destinations/types.js';
import { resolveS3Settings } from '../destinations/s3/presets.js';
import { labelOf, type Engine } from '../engine.js';
import { ManifestFile } from '../repository/manifest-reader.js';
import type { SnapshotInfo } from '../repository/snapshot-list.js';
import { sourceLabel } from '../store/catalog.js';
import { RestoreReportStore } from '../store/restore-report-store.js';
import { compileRestoreFilter, isFiltered, type RestoreFilter } from './restore-filter.js';
import { planRestore, type PlanTarget } from './restore-plan.js';
import type { RestoreProgress, RestoreReport } from './restore.js';
import { SnapshotIndex } from './snapshot-index.js';

/** How the service lends its single running slot to a restore. */
export interface RunSlot {
  busy(): boolean;
  /** The slot is taken; the service announces run.started. */
  begin(info: ActiveRun, controller: AbortController, done: Promise<void>): void;
  progress(info: ActiveRun): void;
  /** The slot is free again; the service announces run.finished. */
  end(run: { runId: number; status: RunStatus; error: string | null; destinations: string[] }): void;
}

/** Dry-run items sent to the UI; the counts cover every file. */
const PREVIEW_ITEMS = 1000;
/** Snapshot indexes kept open (a wizard browses one snapshot at a time; a few cover going back and forth). */
const KEEP_INDEXES = 3;
const PROGRESS_EVERY_MS = 250;
const SAVE_EVERY_MS = 2000;

/** A bucket is named (a destination or bucket source) or given by settings + secret, used for this restore only. */
type Resolved =
  | { kind: 'folder'; root: string; label: string }
  | { kind: 'bucket'; bucket: string | BucketSourceDraft; prefix: string; label: string };

interface Loaded {
  info: SnapshotInfo;
  destId: string;
  index: SnapshotIndex;
}

export class RestoreService {
  private readonly reports: RestoreReportStore;
  private readonly indexes = new Map<string, Promise<Loaded>>();

  constructor(
    private readonly engine: Engine,
    private readonly slot: RunSlot,
  ) {
    this.reports = new RestoreReportStore(engine.db);
  }

  async browse(i: {
    destination: string;
    snapshot: string;
    source?: string | undefined;
    folder: string;
    offset: number;
    limit: number;
  }): Promise<SnapshotPage> {
    const { info, index } = await this.load(i.destination, i.snapshot, i.source);
    const page = index.list(i.folder, i.offset, i.limit);
    return {
      snapshotId: info.snapshotId,
      sourceName: info.sourceName,
      folder: i.folder,
      total: page.total,
      offset: i.offset,
      entries: page.entries,
      self: index.totals(i.folder),
    };
  }

  async count(i: RestoreSelection): Promise<{ files: number; bytes: number }> {
    const { index } = await this.load(i.destination, i.snapshot, i.source);
    const filter = toFilter(i);
    // Ticks alone (the usual case while clicking through the tree) add up folder totals at once.
    if (!filter.exclude?.length && !isFiltered({ ...filter, paths: undefined })) {
      const paths = outermost(filter.paths?.length ? filter.paths : ['']);
      return paths.reduce(
        (sum, p) => {
          const t = index.sizeOf(p);
          return { files: sum.files + t.files, bytes: sum.bytes + t.bytes };
        },
        { files: 0, bytes: 0 },
      );
    }
    const wanted = compileRestoreFilter(filter);
    let files = 0;
    let bytes = 0;
    for await (const e of index.entries()) {
      if (e.type === 'file' && wanted(e)) {
        files++;
        bytes += e.size;
      }
    }
    return { files, bytes };
  }

  async targets(i: { destination: string; snapshot: string; source?: string | undefined }): Promise<RestoreTargets> {
    const { info } = await this.load(i.destination, i.snapshot, i.source);
    const e = this.engine;
    const buckets = [
      ...e.catalog
        .listDestinations()
        .filter((d) => d.config.kind === 's3')
        .map((d) => ({ name: d.name, kind: 'destination' as const, label: labelOf(d.config) })),
      ...e.catalog
        .listSources()
        .filter((s) => s.config.kind === 'bucket')
        .map((s) => ({ name: s.name, kind: 'source' as const, label: sourceLabel(s.config) })),
    ];
    try {
      const o = this.original(info);
      return { original: { available: true, kind: o.kind, label: o.label }, buckets };
    } catch (err) {
      return {
        original: {
          available: false,
          kind: null,
          label: null,
          reason: err instanceof StrataError ? err.message : describeError(err),
        },
        buckets,
      };
    }
  }

  async preview(i: RestoreRequest): Promise<RestorePreview> {
    const { info, destId, index } = await this.load(i.destination, i.snapshot, i.source);
    const target = this.resolveTarget(info, i.target, i.conflict);
    const bucket = target.kind === 'bucket' ? await this.engine.openBucket(target.bucket) : undefined;
    try {
      if (bucket && target.kind === 'bucket' && typeof target.bucket !== 'string') await checkBucket(bucket);
      const planTarget: PlanTarget =
        target.kind === 'folder'
          ? { kind: 'folder', root: target.root }
          : { kind: 'bucket', bucket: bucket!, prefix: target.prefix };
      const plan = await planRestore({
        entries: index.entries(),
        wanted: compileRestoreFilter(toFilter(i)),
        target: planTarget,
        conflict: i.conflict,
        limit: PREVIEW_ITEMS,
      });
      const restores = this.reports.throughput(destId);
      const backups = restores === null ? this.reports.backupThroughput(destId) : null;
      const rate = restores ?? backups;
      return {
        snapshotId: info.snapshotId,
        sourceName: info.sourceName,
        snapshotTime: info.time.getTime(),
        target: { kind: target.kind, label: target.label },
        conflict: i.conflict,
        files: plan.files,
        bytes: plan.bytes,
        counts: {
          write: plan.counts.write,
          skip: plan.counts.skip,
          overwrite: plan.counts.overwrite,
          keepBoth: plan.counts['keep-both'],
          identical: plan.counts.identical,
        },
        egressBytes: plan.egressBytes,
        items: plan.items,
        itemsTruncated: plan.files > plan.items.length,
        throughput: rate === null ? null : { bytesPerSecond: rate, basis: restores !== null ? 'restores' : 'backups' },
        estimatedSeconds: rate === null ? null : Math.ceil(plan.egressBytes / rate),
        cost: this.engine.costs.restoreCost(destId, {
          bytes: plan.egressBytes,
          objects: plan.counts.write + plan.counts.overwrite + plan.counts['keep-both'],
        }),
      };
    } finally {
      await bucket?.close();
    }
  }

  /** Starts the restore as a run; answers once it is under way (what goes wrong later is in its report). */
  async start(i: RestoreRequest): Promise<{ runId: number }> {
    const e = this.engine;
    if (this.slot.busy()) {
      throw new StrataError('busy', 'a backup or another restore is running', 'wait for it to finish, or cancel it');
    }
    const { info, destId } = await this.load(i.destination, i.snapshot, i.source);
    const target = this.resolveTarget(info, i.target, i.conflict);
    if (target.kind === 'bucket' && typeof target.bucket !== 'string') {
      // Settings typed for this restore: a wrong key or bucket answers here, not as a failed run.
      const bucket = await e.openBucket(target.bucket);
      try {
        await checkBucket(bucket);
      } finally {
        await bucket.close();
      }
    }
    if (this.slot.busy())
      throw new StrataError('busy', 'a backup or another restore is running', 'wait for it to finish');
    const startedAt = e.now();
    const runId = e.runs.start('restore', startedAt);
    this.reports.begin({
      runId,
      destId,
      snapshotId: info.snapshotId,
      sourceName: info.sourceName,
      target: { kind: target.kind, label: target.label },
      conflict: i.conflict,
      startedAt,
    });
    const controller = new AbortController();
    // Every file in flight listens for the cancel (its download and its retries).
    setMaxListeners(0, controller.signal);
    let settle: () => void = () => undefined;
    const done = new Promise<void>((r) => (settle = r));
    const active: ActiveRun = {
      runId,
      trigger: 'restore',
      startedAt: Date.now(),
      destinations: [destId],
      cancelling: false,
      total: progressOf(undefined, 0, undefined),
      perDestination: {},
    };
    this.slot.begin(active, controller, done);

    const meter = new RateMeter();
    let lastEmit = 0;
    let lastSave = 0;
    let totals = { filesTotal: 0, bytesTotal: 0 };
    const onProgress = (p: RestoreProgress): void => {
      totals = { filesTotal: p.filesTotal, bytesTotal: p.bytesTotal };
      const now = Date.now();
      meter.add(p.bytesDone, now);
      if (now - lastEmit >= PROGRESS_EVERY_MS || p.filesDone === p.filesTotal) {
        lastEmit = now;
        active.total = progressOf(p, meter.rate, meter.eta(p.bytesTotal - p.bytesDone));
        this.slot.progress(active);
      }
      if (now - lastSave >= SAVE_EVERY_MS) {
        lastSave = now;
        this.reports.update(runId, totals, undefined, null);
      }
    };
    const filter = toFilter(i);
    const job =
      target.kind === 'folder'
        ? e.restore({
            dest: i.destination,
            snapshot: info.snapshotId,
            to: target.root,
            filter,
            conflict: i.conflict,
            onProgress,
            signal: controller.signal,
          })
        : e.restoreToBucket({
            dest: i.destination,
            snapshot: info.snapshotId,
            toBucket: target.bucket,
            prefix: target.prefix,
            filter,
            conflict: i.conflict === 'overwrite' ? 'overwrite' : 'skip',
            onProgress,
            signal: controller.signal,
          });
    void job
      .then(
        (report) => this.finish(runId, totals, report, undefined),
        (err: unknown) => this.finish(runId, totals, undefined, describeError(err)),
      )
      .then(({ status, error }) => this.slot.end({ runId, status, error, destinations: [i.destination] }))
      .finally(settle);
    return { runId };
  }

  report(runId: number): RestoreReportInfo {
    const e = this.engine;
    const r = this.reports.get(runId);
    if (!r) throw new StrataError('not-found', `run ${runId} is not a restore`, 'open a restore from Activity');
    const run = e.db.prepare('SELECT status FROM runs WHERE id = ?').get(runId) as { status: RunStatus } | undefined;
    const dest = e.catalog.listDestinations().find((d) => d.id === r.destId);
    return {
      runId,
      status: run?.status ?? 'interrupted',
      destination: dest?.name ?? r.destId,
      snapshotId: r.snapshotId,
      sourceName: r.sourceName,
      target: r.target,
      conflict: r.conflict,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      filesTotal: r.filesTotal,
      bytesTotal: r.bytesTotal,
      files: r.files,
      bytes: r.bytes,
      verified: r.verified,
      identical: r.identical,
      skipped: r.skipped,
      renamed: r.renamed,
      failed: r.failed,
      failures: r.failures,
      stopped: r.stopped,
    };
  }

  /** Closes the open snapshot indexes (their files live in the engine's temp folder). */
  async close(): Promise<void> {
    const all = [...this.indexes.values()];
    this.indexes.clear();
    for (const p of all) (await p.catch(() => undefined))?.index.close();
  }

  private finish(
    runId: number,
    totals: { filesTotal: number; bytesTotal: number },
    report: RestoreReport | undefined,
    error: string | undefined,
  ): { status: RunStatus; error: string | null } {
    const e = this.engine;
    const now = e.now();
    let status: RunStatus;
    let message: string | null = null;
    if (!report) {
      status = 'failed';
      message = error ?? 'the restore failed';
      this.reports.failed(runId, message, now);
    } else {
      this.reports.update(runId, totals, report, now);
      if (report.stopped?.code === 'cancelled') status = 'cancelled';
      else if (report.stopped) status = report.files || report.identical ? 'partial' : 'failed';
      else if (report.errors.length) status = report.files || report.identical ? 'partial' : 'failed';
      else status = 'ok';
      message =
        report.stopped?.message ??
        (report.errors.length ? `${report.errors.length} file(s) could not be restored` : null);
      // The run log shows the failures too (Activity reads it).
      for (const f of report.errors.slice(0, 200)) e.runs.log(runId, 'error', f.error, { path: f.path });
      if (report.stopped)
        e.runs.log(runId, report.stopped.code === 'cancelled' ? 'warn' : 'error', report.stopped.message);
    }
    e.runs.finish(runId, status, message ?? undefined, now);
    return { status, error: message };
  }

  /** The snapshot (resolved from 'latest' or an id prefix) and its index, built once and kept for the next pages. */
  private async load(destName: string, ref: string, source: string | undefined): Promise<Loaded> {
    const rec = this.engine.catalog.destination(destName);
    const exact = this.indexes.get(`${rec.id}\0${ref}`);
    if (exact) return this.touch(`${rec.id}\0${ref}`, exact);
    const info = await this.engine.snapshotFor(destName, ref, source);
    const key = `${rec.id}\0${info.snapshotId}`;
    const known = this.indexes.get(key);
    if (known) return this.touch(key, known);
    const building = this.buildIndex(rec.id, destName, info);
    this.indexes.set(key, building);
    building.catch(() => this.indexes.delete(key));
    while (this.indexes.size > KEEP_INDEXES) {
      const [oldest, p] = this.indexes.entries().next().value!;
      this.indexes.delete(oldest);
      void p.then((l) => l.index.close()).catch(() => undefined);
    }
    return building;
  }

  private touch(key: string, p: Promise<Loaded>): Promise<Loaded> {
    // Most recently used last: the oldest one goes first.
    this.indexes.delete(key);
    this.indexes.set(key, p);
    return p;
  }

  private async buildIndex(destId: string, destName: string, info: SnapshotInfo): Promise<Loaded> {
    const e = this.engine;
    if (info.damaged) {
      throw new StrataError(
        'corrupt',
        `snapshot ${info.snapshotId} cannot be read: ${info.damaged}`,
        'choose another snapshot',
      );
    }
    const dest = await e.openDestination(e.catalog.destination(destName));
    try {
      const mf = await ManifestFile.fetch(dest, info.manifestKey, e.tmpDir);
      try {
        const dir = join(e.tmpDir, 'snapshot-index');
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        const index = await SnapshotIndex.build(mf, join(dir, `${destId}-${info.snapshotId}.db`), e.sqliteBinding);
        return { info, destId, index };
      } finally {
        await mf.dispose();
      }
    } finally {
      await dest.close();
    }
  }

  /** Where the snapshot's files came from, when Strata can write there. */
  private original(info: SnapshotInfo): Resolved {
    const src =
      this.engine.catalog.listSources().find((s) => s.id === info.sourceId) ??
      this.engine.catalog.listSources().find((s) => s.name === info.sourceName);
    if (!src) {
      throw new StrataError(
        'not-found',
        `'${info.sourceName}' is not a source on this computer, so its original place is unknown here`,
        'restore into a folder or a bucket',
      );
    }
    if (src.config.kind === 'local') return { kind: 'folder', root: src.config.path, label: src.config.path };
    if (src.config.kind === 'bucket') {
      return { kind: 'bucket', bucket: src.name, prefix: '', label: `bucket ${sourceLabel(src.config)}` };
    }
    if (src.config.kind === 'command') {
      throw new StrataError(
        'usage',
        `'${src.name}' is a command's output, which has no original place to go back to`,
        'restore it into a folder, or feed it to a command with \'strata restore … --pipe-to "CMD"\'',
      );
    }
    throw new StrataError(
      'usage',
      `Strata reads Google Drive with read-only access, so it cannot put files back into '${src.name}'`,
      'restore into a folder (and upload it to Drive) or into a bucket',
    );
  }

  private resolveTarget(info: SnapshotInfo, t: RestoreTarget, conflict: RestoreRequest['conflict']): Resolved {
    let out: Resolved;
    if (t.kind === 'original') out = this.original(info);
    else if (t.kind === 'folder') {
      if (!t.path.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(t.path)) {
        throw new StrataError(
          'usage',
          `'${t.path}' is not a full path`,
          'choose the folder with the picker, or type a path from /',
        );
      }
      out = { kind: 'folder', root: resolve(t.path), label: resolve(t.path) };
    } else if (t.kind === 'newBucket') {
      // Checked now (provider, bucket name, endpoint, region), so a typo is a clear error before anything runs.
      const { bucket, prefix: base } = resolveS3Settings({ ...t.settings, kind: 's3' });
      const prefix = normalizeFolder(t.prefix ?? '');
      const where = [bucket, base, prefix].filter(Boolean).join('/');
      // The label (kept in the report) names the bucket and prefix only, never the credentials.
      out = { kind: 'bucket', bucket: t.settings, prefix, label: `bucket ${where}` };
    } else {
      const e = this.engine;
      const known =
        e.catalog.listDestinations().some((d) => d.name === t.bucket && d.config.kind === 's3') ||
        e.catalog.listSources().some((s) => s.name === t.bucket && s.config.kind === 'bucket');
      if (!known) {
        throw new StrataError(
          'not-found',
          `no bucket destination or bucket source named '${t.bucket}'`,
          'choose one of the buckets offered',
        );
      }
      const prefix = normalizeFolder(t.prefix ?? '');
      out = { kind: 'bucket', bucket: t.bucket, prefix, label: `bucket ${t.bucket}${prefix ? `/${prefix}` : ''}` };
    }
    if (out.kind === 'bucket' && conflict === 'keep-both') {
      throw new StrataError('usage', 'a bucket has no "keep both" for an existing key', 'choose skip or overwrite');
    }
    return out;
  }
}

/**
 * Lists one key of the bucket: a missing bucket or a wrong key fails here with the S3 error
 * (a HEAD of a key in a missing bucket would only say "not there").
 */
async function checkBucket(bucket: Destination): Promise<void> {
  for await (const _ of bucket.list('')) break;
}

/** The API's selection as the engine's filter (dates as instants). */
export function toFilter(i: RestoreSelection): RestoreFilter {
  const f = i.filter ?? {};
  return {
    pathPrefix: f.pathPrefix || undefined,
    paths: i.paths?.length ? i.paths : undefined,
    exclude: i.exclude?.length ? i.exclude : undefined,
    extensions: f.extensions?.length ? f.extensions : undefined,
    nameContains: f.nameContains?.trim() || undefined,
    since: f.since !== undefined ? new Date(f.since) : undefined,
    until: f.until !== undefined ? new Date(f.until) : undefined,
  };
}

/** Ticked paths without those inside another ticked one (they would count twice). */
function outermost(paths: string[]): string[] {
  const sorted = [...new Set(paths.map((p) => normalizeFolder(p)))].sort();
  return sorted.filter((p, i) => !sorted.slice(0, i).some((q) => q !== p && isSameOrUnder(p, q)));
}

/** A smoothed download rate and the time left at it. */
class RateMeter {
  rate = 0;
  private lastT = 0;
  private lastBytes = 0;

  add(bytes: number, t: number): void {
    if (!this.lastT) {
      this.lastT = t;
      this.lastBytes = bytes;
      return;
    }
    const dt = (t - this.lastT) / 1000;
    if (dt < 0.5) return;
    const inst = Math.max(0, (bytes - this.lastBytes) / dt);
    // Exponential smoothing keeps the ETA from jumping with every small file.
    this.rate = this.rate ? this.rate * 0.7 + inst * 0.3 : inst;
    this.lastT = t;
    this.lastBytes = bytes;
  }

  eta(left: number): number | undefined {
    return this.rate > 0 ? Math.max(0, Math.round(left / this.rate)) : undefined;
  }
}

function progressOf(p: RestoreProgress | undefined, rate: number, eta: number | undefined): Progress {
  return {
    phase: 'transfer',
    filesScanned: p?.filesTotal ?? 0,
    bytesScanned: p?.bytesTotal ?? 0,
    filesToSend: p?.filesTotal ?? 0,
    bytesToSend: p?.bytesTotal ?? 0,
    filesSent: p?.filesDone ?? 0,
    bytesSent: Math.min(p?.bytesDone ?? 0, p?.bytesTotal ?? 0),
    filesFailed: 0,
    scanDone: p !== undefined,
    bytesPerSecond: rate,
    ...(eta !== undefined ? { etaSeconds: eta } : {}),
    ...(p?.current !== undefined ? { current: p.current } : {}),
  };
}

/** The API handlers of the restore wizard, for the service's table. */
export function restoreHandlers(restores: () => RestoreService) {
  return {
    'snapshots.browse': (i: {
      destination: string;
      snapshot: string;
      source?: string;
      folder: string;
      offset: number;
      limit: number;
    }) => restores().browse(i),
    'restore.count': (i: RestoreSelection) => restores().count(i),
    'restore.targets': (i: { destination: string; snapshot: string; source?: string }) => restores().targets(i),
    'restore.preview': (i: RestoreRequest) => restores().preview(i),
    'restore.start': (i: RestoreRequest) => restores().start(i),
    'restore.report': ({ runId }: { runId: number }) => restores().report(runId),
  };
}
