/**
 * What Strata knows of one Drive, kept in SQLite between runs: its items, which folders have
 * been listed, and the changes page token. A run applies the changes since the token instead of
 * listing the whole Drive again; a folder is listed once, when a walk or the tree first needs it.
 */
import type { Db } from '../../store/database.js';
import type { DriveChange, DriveItem } from './drive-api.js';
import { FOLDER_MIME } from './drive-names.js';

/** Parent of the top-level entries ('My Drive' and each shared drive's folder). */
export const TOP = '#top';
/** The 'Shared drives' folder. */
export const SHARED = '#shared';
export const SHARED_DRIVE_MIME = 'application/x-strata.shared-drive';

export interface MirrorItem extends DriveItem {
  listed: boolean;
}

/** My Drive, a shared drive, or the 'Shared drives' folder: a place with children and no content. */
export function containerItem(id: string, parentId: string, name: string, mime: string, createdMs = 0): DriveItem {
  return {
    id,
    parentId,
    name,
    mime,
    size: undefined,
    md5: undefined,
    version: undefined,
    modifiedMs: 0,
    createdMs,
    targetId: undefined,
    targetMime: undefined,
  };
}

interface Row {
  id: string;
  parent_id: string;
  name: string;
  mime: string;
  size: number | null;
  md5: string | null;
  version: string | null;
  modified_ms: number;
  created_ms: number;
  target_id: string | null;
  target_mime: string | null;
  listed: number;
}

function fromRow(r: Row): MirrorItem {
  return {
    id: r.id,
    parentId: r.parent_id,
    name: r.name,
    mime: r.mime,
    size: r.size ?? undefined,
    md5: r.md5 ?? undefined,
    version: r.version ?? undefined,
    modifiedMs: r.modified_ms,
    createdMs: r.created_ms,
    targetId: r.target_id ?? undefined,
    targetMime: r.target_mime ?? undefined,
    listed: r.listed === 1,
  };
}

export class DriveMirror {
  constructor(
    private readonly db: Db,
    private readonly sourceId: string,
  ) {}

  state(): { pageToken: string | undefined; rootId: string | undefined } {
    const row = this.db
      .prepare('SELECT page_token, root_id FROM drive_state WHERE source_id = ?')
      .get(this.sourceId) as { page_token: string | null; root_id: string | null } | undefined;
    return { pageToken: row?.page_token ?? undefined, rootId: row?.root_id ?? undefined };
  }

  /** Starts over: nothing listed, changes counted from `pageToken`. */
  reset(pageToken: string, rootId: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM drive_items WHERE source_id = ?').run(this.sourceId);
      this.setToken(pageToken, rootId);
      this.upsert(containerItem(rootId, TOP, 'My Drive', FOLDER_MIME));
    })();
  }

  /** Forgets everything (the account was disconnected or changed). */
  clear(): void {
    this.db.prepare('DELETE FROM drive_items WHERE source_id = ?').run(this.sourceId);
    this.db.prepare('DELETE FROM drive_state WHERE source_id = ?').run(this.sourceId);
  }

  setToken(pageToken: string, rootId: string): void {
    this.db
      .prepare(
        `INSERT INTO drive_state (source_id, page_token, root_id, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(source_id) DO UPDATE SET page_token = excluded.page_token, root_id = excluded.root_id, updated_at = excluded.updated_at`,
      )
      .run(this.sourceId, pageToken, rootId, Date.now());
  }

  get(id: string): MirrorItem | undefined {
    const r = this.db.prepare('SELECT * FROM drive_items WHERE source_id = ? AND id = ?').get(this.sourceId, id) as
      Row | undefined;
    return r && fromRow(r);
  }

  children(parentId: string): MirrorItem[] {
    return (
      this.db
        .prepare('SELECT * FROM drive_items WHERE source_id = ? AND parent_id = ?')
        .all(this.sourceId, parentId) as Row[]
    ).map(fromRow);
  }

  /** Adds or updates an item; a folder keeps its listed flag (its children are still known). */
  upsert(item: DriveItem): void {
    this.db
      .prepare(
        `INSERT INTO drive_items (source_id, id, parent_id, name, mime, size, md5, version, modified_ms, created_ms, target_id, target_mime, listed)
         VALUES (@source, @id, @parentId, @name, @mime, @size, @md5, @version, @modifiedMs, @createdMs, @targetId, @targetMime, 0)
         ON CONFLICT(source_id, id) DO UPDATE SET parent_id = excluded.parent_id, name = excluded.name,
           mime = excluded.mime, size = excluded.size, md5 = excluded.md5, version = excluded.version,
           modified_ms = excluded.modified_ms, created_ms = excluded.created_ms, target_id = excluded.target_id,
           target_mime = excluded.target_mime,
           listed = CASE WHEN drive_items.mime = excluded.mime THEN drive_items.listed ELSE 0 END`,
      )
      .run({
        source: this.sourceId,
        id: item.id,
        parentId: item.parentId,
        name: item.name,
        mime: item.mime,
        size: item.size ?? null,
        md5: item.md5 ?? null,
        version: item.version ?? null,
        modifiedMs: item.modifiedMs,
        createdMs: item.createdMs,
        targetId: item.targetId ?? null,
        targetMime: item.targetMime ?? null,
      });
  }

  /** A folder's children as listed now: what is gone from it leaves (with everything below). */
  setChildren(parentId: string, items: DriveItem[]): void {
    this.db.transaction(() => {
      const now = new Set(items.map((i) => i.id));
      for (const old of this.children(parentId)) if (!now.has(old.id)) this.removeTree(old.id);
      for (const it of items) this.upsert(it);
      this.db.prepare('UPDATE drive_items SET listed = 1 WHERE source_id = ? AND id = ?').run(this.sourceId, parentId);
    })();
  }

  removeTree(id: string): void {
    const stack = [id];
    const del = this.db.prepare('DELETE FROM drive_items WHERE source_id = ? AND id = ?');
    const kids = this.db.prepare('SELECT id FROM drive_items WHERE source_id = ? AND parent_id = ?');
    while (stack.length) {
      const cur = stack.pop()!;
      for (const k of kids.all(this.sourceId, cur) as { id: string }[]) stack.push(k.id);
      del.run(this.sourceId, cur);
    }
  }

  /**
   * One page of changes. An item whose folder is known and listed is recorded as it is now; one
   * that left every listed folder (moved away, trashed, deleted) leaves with its subtree; items in
   * folders not listed yet are picked up when those folders are listed.
   */
  applyChanges(changes: DriveChange[]): void {
    this.db.transaction(() => {
      for (const c of changes) {
        if (c.removed || !c.item) {
          this.removeTree(c.fileId);
          continue;
        }
        const parent = this.get(c.item.parentId);
        if (parent?.listed) this.upsert(c.item);
        else if (this.get(c.fileId)) this.removeTree(c.fileId);
      }
    })();
  }

  /** The shared drives as Drive lists them now, under 'Shared drives'. */
  setSharedDrives(drives: { id: string; name: string; createdMs: number }[]): void {
    this.db.transaction(() => {
      const now = new Set(drives.map((d) => d.id));
      for (const old of this.children(SHARED)) if (!now.has(old.id)) this.removeTree(old.id);
      for (const d of drives) {
        this.upsert(containerItem(d.id, SHARED, d.name, SHARED_DRIVE_MIME, d.createdMs));
      }
    })();
  }
}
