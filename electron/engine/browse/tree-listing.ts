import { describeError } from '../../../shared/errors.js';
import { compilePolicies, type FolderPolicy } from '../../../shared/policy.js';
import { selectionOf } from '../../../shared/selection.js';
import type { Badge, StateCounts, TreeEntry, TreePage } from '../../../shared/api/entities.js';
import type { Db } from '../store/database.js';
import type { FileState } from '../store/file-index.js';
import type { FolderChild, FolderReader } from './folder-reader.js';

export { forgetListings } from './folder-reader.js';

export interface TreeRequest {
  sourceId: string;
  sourceName: string;
  /** Reads the source's folders (disk or bucket). */
  reader: FolderReader;
  folder: string;
  offset: number;
  limit: number;
  destIds: string[];
  policies: FolderPolicy[];
}

/**
 * One page of a folder's children as the tree shows them: what is on disk now, each with its
 * checkbox per destination (from policies) and badge per destination (from the file index).
 */
export async function listTree(db: Db, req: TreeRequest): Promise<TreePage> {
  const resolver = compilePolicies(req.policies);
  const rollup = rollupQuery(db);
  const failures = destinationFailures(db, req.sourceId);
  const selfEntry = (): TreeEntry =>
    decorate(
      {
        name: req.folder === '' ? req.sourceName : req.folder.slice(req.folder.lastIndexOf('/') + 1),
        path: req.folder,
        type: 'dir',
        size: null,
        mtimeMs: null,
      },
      req,
      failures,
      resolver.isExcluded(req.folder, true),
      undefined,
      rollup(req.sourceId, req.folder),
    );
  let children: FolderChild[];
  try {
    children = await req.reader.children(req.folder);
  } catch (err) {
    return {
      source: req.sourceName,
      folder: req.folder,
      total: 0,
      offset: 0,
      entries: [],
      self: selfEntry(),
      error: describeError(err),
    };
  }
  const page = children.slice(req.offset, req.offset + req.limit);
  const rows = indexRows(
    db,
    req.sourceId,
    req.folder,
    page.map((c) => c.name),
  );
  const entries = await Promise.all(
    page.map(async (c): Promise<TreeEntry> => {
      const path = req.folder === '' ? c.name : `${req.folder}/${c.name}`;
      const st = c.type === 'file' ? await req.reader.stat(req.folder, c) : undefined;
      const size = st ? st.size : null;
      const isDir = c.type === 'dir';
      const cap = isDir ? undefined : resolver.maxSizeFor(path);
      const excluded = resolver.isExcluded(path, isDir) || (size !== null && cap !== undefined && size > cap);
      const row = rows.get(c.name);
      const changed = !!row && !!st && (row.size !== st.size || row.mtimeMs !== st.mtimeMs);
      return decorate(
        { name: c.name, path, type: c.type, size, mtimeMs: st ? st.mtimeMs : null },
        req,
        failures,
        excluded,
        isDir ? undefined : { statuses: row?.statuses ?? new Map(), changed },
        isDir ? rollup(req.sourceId, path) : undefined,
      );
    }),
  );
  return {
    source: req.sourceName,
    folder: req.folder,
    total: children.length,
    offset: req.offset,
    entries,
    self: selfEntry(),
  };
}

type StatusRow = { state: FileState; error: string | null; at: number };

function decorate(
  base: Pick<TreeEntry, 'name' | 'path' | 'type' | 'size' | 'mtimeMs'>,
  req: TreeRequest,
  failures: Map<string, DestFailure>,
  excluded: boolean,
  file: { statuses: Map<string, StatusRow>; changed: boolean } | undefined,
  counts: Rollup | undefined,
): TreeEntry {
  const selection: TreeEntry['selection'] = {};
  const badges: TreeEntry['badges'] = {};
  for (const destId of req.destIds) {
    const sel = selectionOf(req.policies, base.path, destId);
    selection[destId] = sel;
    const badge = file
      ? fileBadge(sel, excluded, file.statuses.get(destId), file.changed)
      : folderBadge(sel, excluded, withUnsent(counts, destId));
    // Waiting to be sent to a destination whose last run failed as a whole: that failure is why.
    const failure = failures.get(destId);
    if (badge.state === 'pending' && failure) {
      // Its waiting files did not get there in that run: they count as failed, for the same reason.
      const counts = badge.counts && {
        ...badge.counts,
        failed: badge.counts.failed + badge.counts.pending,
        pending: 0,
      };
      badges[destId] = {
        ...badge,
        state: 'failed',
        error: failure.error,
        at: failure.at,
        ...(counts ? { counts } : {}),
      };
    } else badges[destId] = badge;
  }
  return { ...base, excluded, selection, badges };
}

interface DestFailure {
  error: string;
  at: number;
}

/** Destinations whose latest run for this source failed as a whole (unreachable, bad key, missing bucket). */
function destinationFailures(db: Db, sourceId: string): Map<string, DestFailure> {
  const rows = db
    .prepare(
      `SELECT r.dest_id, r.status, r.error, COALESCE(r.finished_at, r.started_at) AS at FROM run_results r
       WHERE r.source_id = ? AND r.status <> 'running' AND r.started_at = (
         SELECT MAX(x.started_at) FROM run_results x WHERE x.source_id = r.source_id AND x.dest_id = r.dest_id
           AND x.status <> 'running')`,
    )
    .all(sourceId) as { dest_id: string; status: string; error: string | null; at: number }[];
  const out = new Map<string, DestFailure>();
  for (const r of rows) {
    if (r.status === 'failed')
      out.set(r.dest_id, { error: r.error ?? 'the last backup to this destination failed', at: r.at });
  }
  return out;
}

function fileBadge(sel: string, excluded: boolean, row: StatusRow | undefined, changed: boolean): Badge {
  if (sel === 'off') return row?.state === 'synced' ? { state: 'synced', at: row.at } : { state: 'none' };
  if (excluded) return { state: 'excluded' };
  if (!row) return { state: 'pending' };
  if (row.state === 'failed')
    return { state: 'failed', error: row.error ?? 'the last backup of this file failed', at: row.at };
  if (row.state === 'synced' && changed) return { state: 'pending', at: row.at };
  return { state: row.state, at: row.at };
}

/**
 * Counts for one destination. Under a folder that is wholly ticked for it, every indexed file
 * should be there: files it holds no status for (new since its last success) count as pending.
 */
function withUnsent(counts: Rollup | undefined, destId: string): (StateCounts & { all: number }) | undefined {
  if (!counts) return undefined;
  const c = counts.byDest.get(destId) ?? { synced: 0, pending: 0, failed: 0, excluded: 0 };
  return { ...c, all: counts.files };
}

function folderBadge(sel: string, excluded: boolean, counted: (StateCounts & { all: number }) | undefined): Badge {
  const { all = 0, ...c } = counted ?? { synced: 0, pending: 0, failed: 0, excluded: 0 };
  if (sel === 'on') c.pending += Math.max(0, all - c.synced - c.pending - c.failed - c.excluded);
  if (excluded && sel !== 'off') return { state: 'excluded', counts: c };
  if (c.failed) return { state: 'failed', counts: c, error: `${c.failed} file(s) below failed` };
  if (c.pending) return { state: 'pending', counts: c };
  if (sel === 'off') return { state: c.synced ? 'synced' : 'none', counts: c };
  return { state: c.synced ? 'synced' : 'pending', counts: c };
}

function indexRows(
  db: Db,
  sourceId: string,
  dir: string,
  names: string[],
): Map<string, { size: number; mtimeMs: number; statuses: Map<string, StatusRow> }> {
  const out = new Map<string, { size: number; mtimeMs: number; statuses: Map<string, StatusRow> }>();
  if (!names.length) return out;
  const rows = db
    .prepare(
      `SELECT f.name, f.size, f.mtime_ms, s.dest_id, s.state, s.error, s.updated_at
       FROM files f LEFT JOIN file_status s ON s.file_id = f.id
       WHERE f.source_id = ? AND f.dir = ? AND f.name IN (SELECT value FROM json_each(?))`,
    )
    .all(sourceId, dir, JSON.stringify(names)) as {
    name: string;
    size: number;
    mtime_ms: number;
    dest_id: string | null;
    state: FileState | null;
    error: string | null;
    updated_at: number | null;
  }[];
  for (const r of rows) {
    let e = out.get(r.name);
    if (!e) out.set(r.name, (e = { size: r.size, mtimeMs: r.mtime_ms, statuses: new Map() }));
    if (r.dest_id && r.state) e.statuses.set(r.dest_id, { state: r.state, error: r.error, at: r.updated_at ?? 0 });
  }
  return out;
}

/** Files below a folder by destination and state: a range scan on (source_id, dir). */
interface Rollup {
  /** Indexed files below the folder. */
  files: number;
  byDest: Map<string, StateCounts>;
}

function rollupQuery(db: Db): (sourceId: string, folder: string) => Rollup {
  const countAll = db.prepare(`SELECT COUNT(*) AS n FROM files WHERE source_id = ? AND type = 'file'`);
  const countBelow = db.prepare(
    `SELECT COUNT(*) AS n FROM files WHERE source_id = ? AND type = 'file' AND (dir = ? OR (dir >= ? AND dir < ?))`,
  );
  const all = db.prepare(
    `SELECT s.dest_id, s.state, COUNT(*) AS n FROM files f JOIN file_status s ON s.file_id = f.id
     WHERE f.source_id = ? AND f.type = 'file' GROUP BY s.dest_id, s.state`,
  );
  // '0' is the character after '/', so [dir + '/', dir + '0') is every folder below dir.
  const below = db.prepare(
    `SELECT s.dest_id, s.state, COUNT(*) AS n FROM files f JOIN file_status s ON s.file_id = f.id
     WHERE f.source_id = ? AND f.type = 'file' AND (f.dir = ? OR (f.dir >= ? AND f.dir < ?))
     GROUP BY s.dest_id, s.state`,
  );
  return (sourceId, folder) => {
    const rows = (folder === '' ? all.all(sourceId) : below.all(sourceId, folder, `${folder}/`, `${folder}0`)) as {
      dest_id: string;
      state: FileState;
      n: number;
    }[];
    const byDest = new Map<string, StateCounts>();
    for (const r of rows) {
      let c = byDest.get(r.dest_id);
      if (!c) byDest.set(r.dest_id, (c = { synced: 0, pending: 0, failed: 0, excluded: 0 }));
      c[r.state] += r.n;
    }
    const files = (
      (folder === '' ? countAll.get(sourceId) : countBelow.get(sourceId, folder, `${folder}/`, `${folder}0`)) as {
        n: number;
      }
    ).n;
    return { files, byDest };
  };
}
