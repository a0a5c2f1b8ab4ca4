import type { DriveExportFormats } from '../../../shared/api/entities.js';
import type { FolderPolicy } from '../../../shared/policy.js';
import type { Db } from './database.js';

export interface PolicyUpdate {
  folder: string;
  /** Destination id → include (true) or exclude (false). Replaces the folder's decisions. */
  destinations: Record<string, boolean>;
  excludes: string[];
  maxSize?: number | undefined;
}

/** Folder policies per source, in the shape the pure resolver in shared/policy takes. */
export class PolicyStore {
  constructor(private readonly db: Db) {}

  set(sourceId: string, update: PolicyUpdate): void {
    this.db.transaction(() => {
      this.db
        .prepare('DELETE FROM policy_destinations WHERE source_id = ? AND folder = ?')
        .run(sourceId, update.folder);
      const ins = this.db.prepare(
        'INSERT INTO policy_destinations (source_id, folder, dest_id, include) VALUES (?, ?, ?, ?)',
      );
      for (const [destId, include] of Object.entries(update.destinations)) {
        ins.run(sourceId, update.folder, destId, include ? 1 : 0);
      }
      this.db
        .prepare(
          `INSERT INTO policy_rules (source_id, folder, excludes, max_size) VALUES (?, ?, ?, ?)
           ON CONFLICT (source_id, folder) DO UPDATE SET excludes = excluded.excludes, max_size = excluded.max_size`,
        )
        .run(sourceId, update.folder, JSON.stringify(update.excludes), update.maxSize ?? null);
    })();
  }

  remove(sourceId: string, folder: string): boolean {
    return this.db.transaction(() => {
      const a = this.db
        .prepare('DELETE FROM policy_destinations WHERE source_id = ? AND folder = ?')
        .run(sourceId, folder).changes;
      const b = this.db
        .prepare('DELETE FROM policy_rules WHERE source_id = ? AND folder = ?')
        .run(sourceId, folder).changes;
      return a + b > 0;
    })();
  }

  /**
   * Ticks or unticks one destination at a folder (or file), and makes everything below follow:
   * decisions for that destination on descendants are dropped. A decision equal to what the
   * folder would inherit anyway is dropped too, so the policy list stays what the user meant.
   */
  select(sourceId: string, folder: string, destId: string, include: boolean, inherited: boolean): void {
    this.db.transaction(() => {
      // substr, not LIKE: LIKE folds ASCII case, and 'Photos' must not touch 'photos'.
      const below = folder === '' ? '' : `${folder}/`;
      this.db
        .prepare(
          `DELETE FROM policy_destinations WHERE source_id = ? AND dest_id = ? AND folder <> ? AND substr(folder, 1, ?) = ?`,
        )
        .run(sourceId, destId, folder, below.length, below);
      if (include === inherited) {
        this.db
          .prepare('DELETE FROM policy_destinations WHERE source_id = ? AND folder = ? AND dest_id = ?')
          .run(sourceId, folder, destId);
      } else {
        this.db
          .prepare(
            `INSERT INTO policy_destinations (source_id, folder, dest_id, include) VALUES (?, ?, ?, ?)
             ON CONFLICT (source_id, folder, dest_id) DO UPDATE SET include = excluded.include`,
          )
          .run(sourceId, folder, destId, include ? 1 : 0);
      }
    })();
  }

  /** Exclusion patterns and size cap of a folder, leaving its destination decisions alone. */
  setRules(sourceId: string, folder: string, excludes: string[], maxSize: number | undefined): void {
    this.db
      .prepare(
        `INSERT INTO policy_rules (source_id, folder, excludes, max_size) VALUES (?, ?, ?, ?)
         ON CONFLICT (source_id, folder) DO UPDATE SET excludes = excluded.excludes, max_size = excluded.max_size`,
      )
      .run(sourceId, folder, JSON.stringify(excludes), maxSize ?? null);
    this.dropEmptyRules(sourceId, folder);
  }

  /** Google Docs export formats below a folder (Drive sources); undefined goes back to inheriting. */
  setExports(sourceId: string, folder: string, exports: DriveExportFormats | undefined): void {
    const json = exports && Object.keys(exports).length ? JSON.stringify(exports) : null;
    this.db
      .prepare(
        `INSERT INTO policy_rules (source_id, folder, excludes, max_size, exports) VALUES (?, ?, '[]', NULL, ?)
         ON CONFLICT (source_id, folder) DO UPDATE SET exports = excluded.exports`,
      )
      .run(sourceId, folder, json);
    this.dropEmptyRules(sourceId, folder);
  }

  private dropEmptyRules(sourceId: string, folder: string): void {
    this.db
      .prepare(
        `DELETE FROM policy_rules WHERE source_id = ? AND folder = ? AND excludes = '[]' AND max_size IS NULL AND exports IS NULL`,
      )
      .run(sourceId, folder);
  }

  forSource(sourceId: string): FolderPolicy[] {
    const byFolder = new Map<string, FolderPolicy>();
    const get = (folder: string): FolderPolicy => {
      let p = byFolder.get(folder);
      if (!p) {
        p = { folder, destinations: {}, excludes: [] };
        byFolder.set(folder, p);
      }
      return p;
    };
    const rules = this.db
      .prepare('SELECT folder, excludes, max_size, exports FROM policy_rules WHERE source_id = ?')
      .all(sourceId) as { folder: string; excludes: string; max_size: number | null; exports: string | null }[];
    for (const r of rules) {
      const p = get(r.folder);
      p.excludes = JSON.parse(r.excludes) as string[];
      if (r.max_size !== null) p.maxSize = r.max_size;
      if (r.exports !== null) p.exports = JSON.parse(r.exports) as DriveExportFormats;
    }
    const dests = this.db
      .prepare('SELECT folder, dest_id, include FROM policy_destinations WHERE source_id = ?')
      .all(sourceId) as { folder: string; dest_id: string; include: number }[];
    for (const d of dests) get(d.folder).destinations[d.dest_id] = d.include === 1;
    return [...byFolder.values()].sort((a, b) => a.folder.localeCompare(b.folder));
  }
}
