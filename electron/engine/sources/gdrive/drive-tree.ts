/**
 * A Drive as a folder tree, over the mirror: 'My Drive' and 'Shared drives/<name>' at the top,
 * children named as paths (escaped, exported, de-duplicated). Keeps the mirror current (changes
 * since the stored page token, or a fresh start) and lists folders when first needed, up to 50
 * parents per query; a parent that came back empty from a grouped query is asked again alone,
 * for Drive has been seen to drop a parent's children from large grouped queries.
 */
import type { DriveExportFormats } from '../../../../shared/api/entities.js';
import { exportFormatsResolver, type ExportFormatsFor } from '../../../../shared/export-policy.js';
import type { FolderPolicy } from '../../../../shared/policy.js';
import type { DriveApi, DriveItem } from './drive-api.js';
import { isInvalidPageToken } from './drive-errors.js';
import { containerItem, DriveMirror, SHARED, SHARED_DRIVE_MIME, TOP, type MirrorItem } from './drive-mirror.js';
import { childSegments, FOLDER_MIME, isUnexportable } from './drive-names.js';

export const MAX_PARENTS_PER_QUERY = 50;

export type NamedChild = MirrorItem & { segment: string };

/** A folder to list: its id and the shared drive it is in ('*' when unknown: a shortcut's target). */
export interface FolderRef {
  id: string;
  driveId: string | undefined;
}

export const isDirLike = (item: { mime: string }): boolean =>
  item.mime === FOLDER_MIME || item.mime === SHARED_DRIVE_MIME;

/** Syncs are serialised per source: a backup and the tree may both ask at once. */
const syncing = new Map<string, Promise<void>>();

export class DriveTree {
  private lastSync = 0;
  private formatsFor: ExportFormatsFor;

  constructor(
    readonly api: DriveApi,
    readonly mirror: DriveMirror,
    private readonly sourceId: string,
    private readonly exports: DriveExportFormats | undefined,
    /** The source's folder policies, read again at each sync: they choose export formats per folder. */
    private readonly policies: () => readonly FolderPolicy[] = () => [],
  ) {
    this.formatsFor = exportFormatsResolver(policies(), exports);
  }

  /** Export formats for Docs in a folder (by path): the source's, overridden by folder policies. */
  formatsIn(folderPath: string): DriveExportFormats {
    return this.formatsFor(folderPath);
  }

  /** Brings the mirror up to date; `maxAgeMs` lets the tree skip a sync it just did. */
  async sync(maxAgeMs = 0): Promise<void> {
    this.formatsFor = exportFormatsResolver(this.policies(), this.exports);
    if (maxAgeMs && Date.now() - this.lastSync < maxAgeMs) return;
    const running = syncing.get(this.sourceId);
    if (running) return running;
    const job = this.syncNow().finally(() => syncing.delete(this.sourceId));
    syncing.set(this.sourceId, job);
    await job;
    this.lastSync = Date.now();
  }

  /** How the last sync went, for the run log. */
  lastSyncKind: 'changes' | 'full' | undefined;

  private async syncNow(): Promise<void> {
    const { pageToken, rootId } = this.mirror.state();
    let fresh = !pageToken || !rootId;
    if (!fresh) {
      try {
        for await (const page of this.api.changes(pageToken!)) {
          this.mirror.applyChanges(page.changes);
          if (page.nextStart) this.mirror.setToken(page.nextStart, rootId!);
        }
        this.lastSyncKind = 'changes';
      } catch (err) {
        if (!isInvalidPageToken(err)) throw err;
        fresh = true; // The token is too old or not this account's: start over from a full listing.
      }
    }
    if (fresh) {
      // The token first: a change made while listing is then applied next time, never lost.
      const token = await this.api.startPageToken();
      this.mirror.reset(token, await this.api.rootId());
      this.lastSyncKind = 'full';
    }
    const drives: { id: string; name: string; createdMs: number }[] = [];
    for await (const d of this.api.sharedDrives()) drives.push(d);
    this.mirror.setSharedDrives(drives);
  }

  rootId(): string {
    return this.mirror.state().rootId!;
  }

  needsListing(id: string): boolean {
    if (id === TOP || id === SHARED) return false;
    return !this.mirror.get(id)?.listed;
  }

  /** Lists the folders not listed yet, grouped per drive, 50 parents a query. */
  async ensureListed(folders: FolderRef[]): Promise<void> {
    const byDrive = new Map<string, string[]>();
    for (const f of folders) {
      if (!this.needsListing(f.id)) continue;
      const key = f.driveId ?? '';
      const ids = byDrive.get(key) ?? [];
      if (!ids.includes(f.id)) ids.push(f.id);
      byDrive.set(key, ids);
    }
    for (const [drive, ids] of byDrive) {
      for (let i = 0; i < ids.length; i += MAX_PARENTS_PER_QUERY) {
        await this.listGroup(ids.slice(i, i + MAX_PARENTS_PER_QUERY), drive || undefined);
      }
    }
  }

  private async listGroup(ids: string[], driveId: string | undefined): Promise<void> {
    const found = new Map<string, DriveItem[]>(ids.map((id) => [id, []]));
    for await (const page of this.api.children(ids, driveId)) {
      for (const it of page) found.get(it.parentId)?.push(it);
    }
    for (const [id, items] of found) {
      let children = items;
      if (!children.length && ids.length > 1) {
        children = [];
        for await (const page of this.api.children([id], driveId)) children.push(...page);
      }
      this.mirror.setChildren(id, children);
    }
  }

  /**
   * A folder's children (the folder by id, at `folderPath`) with their path segments, sorted by
   * segment; Google types without an export are left out.
   */
  namedChildren(id: string, folderPath: string): NamedChild[] {
    let items: MirrorItem[];
    if (id === TOP) {
      const root = this.mirror.get(this.rootId());
      items = root ? [root] : [];
      if (this.mirror.children(SHARED).length) {
        items.push({ ...containerItem(SHARED, TOP, 'Shared drives', FOLDER_MIME), listed: true });
      }
    } else {
      items = this.mirror.children(id).filter((c) => !isUnexportable(c.mime));
    }
    const named = [...childSegments(items, this.formatsFor(folderPath)).values()];
    return named.sort((a, b) => (a.segment < b.segment ? -1 : a.segment > b.segment ? 1 : 0));
  }

  /** The folder at a path ('' = the top), listing folders on the way as needed. */
  async resolveFolder(path: string): Promise<FolderRef | undefined> {
    let ref: FolderRef = { id: TOP, driveId: undefined };
    let at = '';
    for (const segment of path.split('/').filter(Boolean)) {
      await this.ensureListed([ref]);
      const child = this.namedChildren(ref.id, at).find((c) => c.segment === segment);
      if (!child || !isDirLike(child)) return undefined;
      ref = { id: child.id, driveId: child.mime === SHARED_DRIVE_MIME ? child.id : ref.driveId };
      at = at ? `${at}/${segment}` : segment;
    }
    await this.ensureListed([ref]);
    return ref;
  }

  /** The path of an item the mirror knows, from the top (for a shortcut's link target). */
  pathOf(id: string, depth = 0): string | undefined {
    if (id === TOP) return '';
    const item = id === SHARED ? containerItem(SHARED, TOP, 'Shared drives', FOLDER_MIME) : this.mirror.get(id);
    if (!item || depth > 200) return undefined;
    const parentPath = this.pathOf(item.parentId, depth + 1);
    if (parentPath === undefined) return undefined;
    const named = this.namedChildren(item.parentId, parentPath).find((c) => c.id === id);
    if (!named) return undefined;
    return parentPath ? `${parentPath}/${named.segment}` : named.segment;
  }
}
