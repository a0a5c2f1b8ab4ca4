/**
 * `strata repair-index` / `recovery.repairIndex`: the local database rebuilt from destinations
 * (DESIGN.md §3: it is a cache and a status log). For each destination: strata.json and every
 * manifest are read; sources missing here are set up again from their snapshots (local folders
 * at their recorded root; buckets and Drives need credentials the destination does not hold, so
 * they are only named); the snapshot cache is filled; and the file status of each (source,
 * destination) follows its latest snapshot, so badges show synced and the next backup sends only
 * what changed. Running it again changes nothing; what is already set up is left as it is.
 */
import { statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { RepairReport } from '../../../shared/api/entities.js';
import { describeError, StrataError } from '../../../shared/errors.js';
import { acquireRunLock } from '../backup/run-lock.js';
import { syncStatusWithDestination } from '../backup/sync-cache.js';
import type { Engine } from '../engine.js';
import { ManifestFile } from '../repository/manifest-reader.js';
import type { DestinationRecord, SourceRecord } from '../store/catalog.js';
import { findSeries, type FoundSeries } from './discover.js';

type SourceRow = RepairReport['sources'][number];

interface Series extends FoundSeries {
  /** Per destination holding it: its newest readable manifest. */
  at: { dest: DestinationRecord; latestKey: string | null; latestId: string | null; files: number }[];
}

export async function repairIndex(
  engine: Engine,
  opts: { destination?: string | undefined } = {},
): Promise<RepairReport> {
  const dests = opts.destination ? [engine.catalog.destination(opts.destination)] : engine.catalog.listDestinations();
  if (!dests.length) {
    throw new StrataError(
      'usage',
      'there are no destinations to rebuild the index from',
      "add the one holding your backups first ('strata dest add local NAME DIR' or 'strata dest add s3 …')",
    );
  }
  // No backup (here or in a daemon on this data folder) may write the status meanwhile.
  const lock = acquireRunLock(engine.home);
  try {
    engine.index.flush();
    return await repairLocked(engine, dests);
  } finally {
    lock.release();
  }
}

async function repairLocked(engine: Engine, dests: DestinationRecord[]): Promise<RepairReport> {
  const report: RepairReport = { destinations: [], sources: [], synced: [] };
  const series = new Map<string, Series>();
  const readable: DestinationRecord[] = [];
  for (const d of dests) {
    try {
      const found = await findSeries(engine, d.name);
      readable.push(d);
      report.destinations.push({
        name: d.name,
        repositoryId: found.repositoryId,
        snapshots: found.snapshots,
        damaged: found.damaged,
        error: null,
      });
      for (const s of found.series) merge(series, s, d);
    } catch (err) {
      report.destinations.push({
        name: d.name,
        repositoryId: null,
        snapshots: 0,
        damaged: 0,
        error: describeError(err),
      });
    }
  }

  // Newest series first, so when two series share a name the newer one gets it.
  const ordered = [...series.values()].sort((a, b) => (b.latest ?? -1) - (a.latest ?? -1));
  const created: { src: SourceRecord; series: Series; row: SourceRow }[] = [];
  for (const s of ordered) {
    const { row, src } = adopt(engine, s);
    report.sources.push(row);
    if (src && row.status === 'created') created.push({ src, series: s, row });
  }
  report.sources.sort((a, b) => a.sourceName.localeCompare(b.sourceName) || a.sourceId.localeCompare(b.sourceId));

  // The file status of every source set up here follows its latest snapshot on each destination read
  // (none: a destination that lost them, or never had them, holds nothing of it).
  for (const src of engine.catalog.listSources()) {
    for (const d of readable) {
      const at = series.get(src.id)?.at.find((a) => a.dest.id === d.id);
      const row = await syncOne(engine, src, d, at);
      if (at || row.rebuilt || row.error) report.synced.push(row);
    }
  }

  for (const c of created) {
    const notes: string[] = [];
    for (const at of c.series.at) {
      if (!at.latestKey) continue;
      try {
        notes.push(await tickWhatWasSent(engine, c.src, at.dest, at.latestKey));
      } catch (err) {
        notes.push(`nothing ticked for ${at.dest.name} (${describeError(err)})`);
      }
    }
    if (notes.length) c.row.message += `; ${notes.join('; ')}`;
  }
  return report;
}

/** One series as several destinations hold it; the newest snapshot anywhere says best what the source is now. */
function merge(all: Map<string, Series>, s: FoundSeries, d: DestinationRecord): void {
  const here = { dest: d, latestKey: s.latestKey, latestId: s.latestSnapshotId, files: s.list.at(-1)?.files ?? 0 };
  const known = all.get(s.sourceId);
  if (!known) {
    all.set(s.sourceId, { ...s, at: [here] });
    return;
  }
  known.at.push(here);
  known.snapshots += s.snapshots;
  if ((s.latest ?? -1) > (known.latest ?? -1)) {
    known.sourceName = s.sourceName;
    known.kind = s.kind;
    known.root = s.root;
    known.hostname = s.hostname;
    known.latest = s.latest;
    known.latestSnapshotId = s.latestSnapshotId;
    known.latestKey = s.latestKey;
  }
}

/** Sets the source up again when it is a local folder missing here; says what to do otherwise. */
function adopt(engine: Engine, s: Series): { row: SourceRow; src?: SourceRecord } {
  const base = {
    sourceId: s.sourceId,
    sourceName: s.sourceName,
    kind: s.kind,
    root: s.root,
    hostname: s.hostname,
    snapshots: s.snapshots,
    latest: s.latest,
    latestSnapshotId: s.latestSnapshotId,
    destinations: s.at.map((a) => a.dest.name),
  };
  const sources = engine.catalog.listSources();
  const same = sources.find((x) => x.id === s.sourceId);
  if (same) {
    return {
      row: { ...base, status: 'present', message: `'${same.name}' is set up here already` },
      src: same,
    };
  }
  const named = sources.find((x) => x.name === s.sourceName);
  if (named) {
    return {
      row: {
        ...base,
        status: 'name-taken',
        message:
          `another source here is named '${s.sourceName}', so series ${s.sourceId} was not set up again; ` +
          `to continue it, remove that source ('strata source remove ${s.sourceName}') and run repair-index again`,
      },
    };
  }
  if (s.kind !== 'local') {
    const what = s.kind === 'bucket' ? `bucket ${s.root}` : s.kind === 'gdrive' ? s.root || 'Google Drive' : s.kind;
    const how =
      s.kind === 'bucket'
        ? `strata source add bucket ${s.sourceName} --bucket … --access-key-id … --id ${s.sourceId}`
        : s.kind === 'gdrive'
          ? `strata source add gdrive ${s.sourceName} --client-id … --id ${s.sourceId}`
          : `--id ${s.sourceId}`;
    return {
      row: {
        ...base,
        status: 'needs-credentials',
        message: `source ${s.sourceName} (${what}) found: add it again with --id ${s.sourceId} to continue its series (${how}); its snapshots can be restored now`,
      },
    };
  }
  if (!isAbsolute(s.root)) {
    return {
      row: {
        ...base,
        status: 'needs-credentials',
        message: `source ${s.sourceName} found, but its folder is not recorded: add it again with 'strata source add local ${s.sourceName} PATH --id ${s.sourceId}'`,
      },
    };
  }
  const src = engine.catalog.addSource(s.sourceName, { kind: 'local', path: s.root }, s.sourceId);
  const missing = !statSync(s.root, { throwIfNoEntry: false })?.isDirectory();
  const message =
    `set up '${s.sourceName}' again (folder ${s.root})` +
    (missing ? '; that folder does not exist on this machine yet: restore into it before the next backup' : '');
  return { row: { ...base, status: 'created', message }, src };
}

async function syncOne(
  engine: Engine,
  src: SourceRecord,
  d: DestinationRecord,
  at: Series['at'][number] | undefined,
): Promise<RepairReport['synced'][number]> {
  const row = { source: src.name, destination: d.name, snapshotId: at?.latestId ?? null, files: at?.files ?? 0 };
  const before = engine.snapshots.syncedWith(src.id, d.id);
  let dest;
  try {
    dest = await engine.openDestination(d);
  } catch (err) {
    return { ...row, rebuilt: false, error: describeError(err) };
  }
  try {
    const latest = await syncStatusWithDestination({
      dest,
      destId: d.id,
      sourceId: src.id,
      index: engine.index,
      cache: engine.snapshots,
      tmpDir: engine.tmpDir,
    });
    return { ...row, snapshotId: latest, rebuilt: before !== latest, error: null };
  } catch (err) {
    return { ...row, rebuilt: false, error: describeError(err) };
  } finally {
    await dest.close();
  }
}

/**
 * Policies are not kept on destinations; a source set up again gets ticked what its latest
 * snapshot there holds, so backups go on as before: the whole folder when the snapshot holds
 * everything at its top that the folder holds now, else each topmost folder or file it holds
 * (never more than was sent). Exclusion patterns and size limits cannot be known.
 */
async function tickWhatWasSent(
  engine: Engine,
  src: SourceRecord,
  dest: DestinationRecord,
  key: string,
): Promise<string> {
  const d = await engine.openDestination(dest);
  let mf: ManifestFile;
  try {
    mf = await ManifestFile.fetch(d, key, engine.tmpDir);
  } finally {
    await d.close();
  }
  let tops: string[];
  try {
    const dirs = new Set<string>();
    for await (const e of mf.entries()) if (e.type === 'dir') dirs.add(e.path);
    tops = [];
    for await (const e of mf.entries()) {
      const cut = e.path.lastIndexOf('/');
      if (cut < 0 || !dirs.has(e.path.slice(0, cut))) tops.push(e.path);
    }
  } finally {
    await mf.dispose();
  }
  if (!tops.length) return `nothing ticked for ${dest.name} (its latest snapshot is empty)`;
  const root = src.config.kind === 'local' ? src.config.path : '';
  const onDisk = await readdir(root).catch(() => undefined);
  const topSet = new Set(tops);
  const whole = onDisk !== undefined && onDisk.length > 0 && onDisk.every((n) => topSet.has(n));
  if (whole) {
    engine.selectPolicy(src.name, '', dest.name, true);
    return `ticked the whole folder for ${dest.name}`;
  }
  for (const t of tops) engine.selectPolicy(src.name, t, dest.name, true);
  const what = tops.length === 1 ? `/${tops[0]}` : `${tops.length} folders and files`;
  return `ticked ${what} for ${dest.name} (what its latest snapshot holds; exclusions are not stored on destinations: check them under Sources)`;
}
