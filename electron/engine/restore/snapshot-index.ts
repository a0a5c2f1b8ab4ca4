/**
 * A snapshot's manifest as a small SQLite file in the temp folder, so the restore wizard can page
 * through one folder at a time, count a selection and plan a dry run without downloading and
 * parsing the whole manifest again each time, and without holding it in memory (a manifest of a
 * million entries stays on disk). Built once from a checked ManifestFile; a cache, never the truth.
 */
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { baseName, parentOf } from '../../../shared/paths.js';
import type { ManifestFile } from '../repository/manifest-reader.js';

export interface IndexedFile {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  size: number;
  mtime: number;
  sha256: string | null;
  /** Base64 of a name that is not UTF-8 (see ManifestEntry.raw). */
  raw: string | null;
}

export interface BrowseEntry {
  name: string;
  path: string;
  type: 'dir' | 'file' | 'symlink';
  size: number | null;
  mtime: number;
  files?: number;
  bytes?: number;
}

const BATCH = 2000;

export class SnapshotIndex {
  private constructor(
    private readonly db: Database.Database,
    private readonly file: string,
  ) {}

  static async build(mf: ManifestFile, file: string, nativeBinding?: string): Promise<SnapshotIndex> {
    rmSync(file, { force: true });
    const db = new Database(file, nativeBinding ? { nativeBinding } : {});
    try {
      db.pragma('journal_mode = OFF');
      db.pragma('synchronous = OFF');
      db.exec(`
        CREATE TABLE entries (
          path TEXT NOT NULL UNIQUE, dir TEXT NOT NULL, name TEXT NOT NULL,
          folder_first INTEGER NOT NULL, type TEXT NOT NULL, size INTEGER, mtime REAL NOT NULL,
          sha256 TEXT, raw TEXT
        );
        CREATE TABLE folders (path TEXT PRIMARY KEY, files INTEGER NOT NULL, bytes INTEGER NOT NULL) WITHOUT ROWID;
      `);
      const insert = db.prepare(
        `INSERT OR IGNORE INTO entries (path, dir, name, folder_first, type, size, mtime, sha256, raw)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      // Per folder, the files and bytes below it at every depth; folders are few next to files.
      const totals = new Map<string, { files: number; bytes: number }>([['', { files: 0, bytes: 0 }]]);
      const dirs = new Set<string>(['']);
      let batch: unknown[][] = [];
      const flush = db.transaction((rows: unknown[][]) => {
        for (const r of rows) insert.run(...r);
      });
      for await (const e of mf.entries()) {
        batch.push([
          e.path,
          parentOf(e.path),
          baseName(e.path),
          e.type === 'dir' ? 0 : 1,
          e.type,
          e.size ?? null,
          e.mtime,
          e.sha256 ?? null,
          e.raw ?? null,
        ]);
        if (e.type === 'dir') dirs.add(e.path);
        if (e.type === 'file') {
          for (let p = parentOf(e.path); ; p = parentOf(p)) {
            const t = totals.get(p) ?? { files: 0, bytes: 0 };
            t.files++;
            t.bytes += e.size ?? 0;
            totals.set(p, t);
            if (p === '') break;
          }
        }
        if (batch.length >= BATCH) {
          flush(batch);
          batch = [];
        }
      }
      // A folder the manifest implies but does not list still shows in the tree.
      for (const p of totals.keys()) {
        if (!dirs.has(p)) batch.push([p, parentOf(p), baseName(p), 0, 'dir', null, 0, null, null]);
      }
      flush(batch);
      const putTotal = db.prepare('INSERT INTO folders (path, files, bytes) VALUES (?, ?, ?)');
      db.transaction(() => {
        for (const [p, t] of totals) putTotal.run(p, t.files, t.bytes);
      })();
      db.exec('CREATE INDEX entries_dir ON entries (dir, folder_first, name COLLATE NOCASE, name)');
      return new SnapshotIndex(db, file);
    } catch (err) {
      db.close();
      rmSync(file, { force: true });
      throw err;
    }
  }

  /** One page of a folder's children: folders first, then by name. */
  list(folder: string, offset: number, limit: number): { total: number; entries: BrowseEntry[] } {
    const total = (this.db.prepare('SELECT COUNT(*) AS n FROM entries WHERE dir = ?').get(folder) as { n: number }).n;
    const rows = this.db
      .prepare(
        `SELECT e.path, e.name, e.type, e.size, e.mtime, f.files, f.bytes FROM entries e
         LEFT JOIN folders f ON f.path = e.path AND e.type = 'dir'
         WHERE e.dir = ? ORDER BY e.folder_first, e.name COLLATE NOCASE, e.name LIMIT ? OFFSET ?`,
      )
      .all(folder, limit, offset) as {
      path: string;
      name: string;
      type: BrowseEntry['type'];
      size: number | null;
      mtime: number;
      files: number | null;
      bytes: number | null;
    }[];
    return {
      total,
      entries: rows.map((r) => ({
        name: r.name,
        path: r.path,
        type: r.type,
        size: r.type === 'file' ? r.size : null,
        mtime: r.mtime,
        ...(r.type === 'dir' ? { files: r.files ?? 0, bytes: r.bytes ?? 0 } : {}),
      })),
    };
  }

  /** Files and bytes below a folder ('' for the whole snapshot). */
  totals(folder: string): { files: number; bytes: number } {
    const row = this.db.prepare('SELECT files, bytes FROM folders WHERE path = ?').get(folder) as
      { files: number; bytes: number } | undefined;
    return row ?? { files: 0, bytes: 0 };
  }

  /** Files and bytes a ticked path takes in: a folder's totals, a file's own size, nothing for a link. */
  sizeOf(path: string): { files: number; bytes: number } {
    if (path === '') return this.totals('');
    const row = this.db.prepare('SELECT type, size FROM entries WHERE path = ?').get(path) as
      { type: string; size: number | null } | undefined;
    if (!row) return { files: 0, bytes: 0 };
    if (row.type === 'dir') return this.totals(path);
    return row.type === 'file' ? { files: 1, bytes: row.size ?? 0 } : { files: 0, bytes: 0 };
  }

  /**
   * Every entry in manifest order, in batches: the connection is free between them, so paging the
   * tree meanwhile (another call) is not blocked by a long dry run.
   */
  async *entries(): AsyncGenerator<IndexedFile> {
    const page = this.db.prepare(
      'SELECT rowid, path, type, size, mtime, sha256, raw FROM entries WHERE rowid > ? ORDER BY rowid LIMIT ?',
    );
    let after = 0;
    for (;;) {
      const rows = page.all(after, BATCH) as (IndexedFile & { rowid: number })[];
      if (!rows.length) return;
      for (const r of rows)
        yield { path: r.path, type: r.type, size: r.size ?? 0, mtime: r.mtime, sha256: r.sha256, raw: r.raw };
      after = rows[rows.length - 1]!.rowid;
      // Let other calls use the connection between batches.
      await new Promise((r) => setImmediate(r));
    }
  }

  close(): void {
    this.db.close();
    rmSync(this.file, { force: true });
  }
}
