import { createHash } from 'node:crypto';

/**
 * The in-memory Drive behind the fake server: My Drive, shared drives, files with content, and the
 * change log `changes.list` reads. Tests build and mutate trees through the helpers; every mutation
 * bumps the file's version and modifiedTime and appends to the change log, as Drive does.
 */

export const FOLDER_MIME = 'application/vnd.google-apps.folder';
export const SHORTCUT_MIME = 'application/vnd.google-apps.shortcut';
export const GOOGLE_MIME = {
  document: 'application/vnd.google-apps.document',
  spreadsheet: 'application/vnd.google-apps.spreadsheet',
  presentation: 'application/vnd.google-apps.presentation',
  drawing: 'application/vnd.google-apps.drawing',
} as const;
export type GoogleNativeMime = (typeof GOOGLE_MIME)[keyof typeof GOOGLE_MIME];

/** The alias Drive accepts for the My Drive root folder, in `q` and as a file id. */
export const ROOT_ALIAS = 'root';

/** Docs Editors files: no bytes of their own, only exports. */
export function isGoogleNative(mimeType: string): boolean {
  return mimeType.startsWith('application/vnd.google-apps.') && mimeType !== FOLDER_MIME && mimeType !== SHORTCUT_MIME;
}

export type Bytes = Buffer | Uint8Array | string;
export type ExportsByMime = Record<string, Bytes>;

export interface FakeFile {
  readonly id: string;
  name: string;
  mimeType: string;
  /** One parent, as Drive has enforced since 2020: a folder id, the My Drive root id, or a shared drive id. */
  parents: string[];
  /** Set for items in a shared drive. */
  driveId?: string;
  trashed: boolean;
  explicitlyTrashed: boolean;
  trashedTime?: string;
  readonly createdTime: string;
  modifiedTime: string;
  version: number;
  /** Binary files only. */
  content?: Buffer;
  md5Checksum?: string;
  sha1Checksum?: string;
  sha256Checksum?: string;
  headRevisionId?: string;
  /** Docs Editors files only: the bytes each export format yields. */
  exports?: Map<string, Buffer>;
  shortcutDetails?: { targetId: string; targetMimeType: string };
  /** Creation order; the default listing order and the tie-breaker for orderBy. */
  readonly seq: number;
}

export interface FakeSharedDrive {
  readonly id: string;
  name: string;
  readonly createdTime: string;
  readonly seq: number;
}

/** One entry of the change log. A later change to the same file or drive supersedes the earlier entry. */
export interface ChangeEntry {
  readonly position: number;
  readonly changeType: 'file' | 'drive';
  /** The file id or the shared drive id. */
  readonly id: string;
  readonly time: string;
  readonly removed: boolean;
  /** The shared drive the file was in when the change happened (kept for removals, whose file is gone). */
  readonly driveId?: string;
}

export interface FakeUser {
  emailAddress: string;
  displayName: string;
  permissionId: string;
}

export interface FakeDriveOptions {
  user?: Partial<FakeUser>;
  /** Wall clock for modifiedTime/createdTime/change times; successive mutations always get increasing times. */
  now?: () => number;
  /** Seeds the deterministic id generator, so two fakes built the same way hand out the same ids. */
  idSeed?: string;
}

export interface AddOptions {
  /** Use this id instead of a generated one. */
  id?: string;
  mimeType?: string;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const toBuffer = (b: Bytes): Buffer => (typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b));

export class FakeDrive {
  readonly user: FakeUser;
  /** The real id behind the 'root' alias. */
  readonly rootId: string;
  readonly rootCreatedTime: string;

  private readonly files = new Map<string, FakeFile>();
  private readonly drives = new Map<string, FakeSharedDrive>();
  /** Keyed by `${changeType}:${id}`; Map order is log order because a superseded entry is deleted first. */
  private readonly log = new Map<string, ChangeEntry>();
  private nextPosition = 1;
  private oldestValidToken = 1;
  private seq = 0;
  private idCounter = 0;
  private lastTime = 0;
  private readonly now: () => number;
  private readonly idSeed: string;

  constructor(opts: FakeDriveOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.idSeed = opts.idSeed ?? 'fake-drive';
    this.user = {
      emailAddress: opts.user?.emailAddress ?? 'backup.user@example.com',
      displayName: opts.user?.displayName ?? 'Backup User',
      permissionId: opts.user?.permissionId ?? '01234567890123456789',
    };
    this.rootId = this.driveLikeId();
    this.rootCreatedTime = this.tick();
  }

  // ---------------------------------------------------------------- building trees

  addFolder(name: string, parentId: string = ROOT_ALIAS, opts: AddOptions = {}): FakeFile {
    return this.create(name, FOLDER_MIME, parentId, opts, {});
  }

  /** A binary file; `mimeType` defaults to application/octet-stream. */
  addFile(name: string, content: Bytes, parentId: string = ROOT_ALIAS, opts: AddOptions = {}): FakeFile {
    return this.create(name, opts.mimeType ?? 'application/octet-stream', parentId, opts, {
      content: toBuffer(content),
    });
  }

  /**
   * A Docs Editors file (a Doc unless `opts.mimeType` names a Sheet, Slides or Drawing). Its export
   * formats are exactly the keys of `exportsByMime`; any other format is Drive's 400.
   */
  addDoc(name: string, exportsByMime: ExportsByMime, parentId: string = ROOT_ALIAS, opts: AddOptions = {}): FakeFile {
    const mimeType = opts.mimeType ?? GOOGLE_MIME.document;
    if (!isGoogleNative(mimeType)) throw new Error(`addDoc: ${mimeType} is not a Docs Editors type`);
    return this.create(name, mimeType, parentId, opts, { exports: exportsByMime });
  }

  addShortcut(name: string, targetId: string, parentId: string = ROOT_ALIAS, opts: AddOptions = {}): FakeFile {
    const target = this.mustGet(targetId);
    return this.create(name, SHORTCUT_MIME, parentId, opts, {
      shortcut: { targetId: target.id, targetMimeType: target.mimeType },
    });
  }

  addSharedDrive(name: string, opts: { id?: string } = {}): FakeSharedDrive {
    const id = opts.id ?? this.driveLikeId();
    if (this.taken(id)) throw new Error(`id ${id} is taken`);
    const drive: FakeSharedDrive = { id, name, createdTime: this.tick(), seq: ++this.seq };
    this.drives.set(id, drive);
    this.record('drive', id, drive.createdTime, false);
    return drive;
  }

  // ---------------------------------------------------------------- mutations

  /**
   * New content for a binary file, or new export bytes for a Docs Editors file; with no argument
   * the file is only touched (a new version, as an edit that leaves the bytes alone would make).
   */
  modify(id: string, content?: Bytes | ExportsByMime): FakeFile {
    const file = this.mustGet(id);
    if (content !== undefined) {
      if (isGoogleNative(file.mimeType)) {
        if (typeof content === 'string' || content instanceof Uint8Array) {
          throw new Error(`modify: ${id} is a Docs Editors file; pass its exports by mime type`);
        }
        file.exports = new Map(Object.entries(content).map(([m, b]) => [m, toBuffer(b)]));
      } else if (file.content !== undefined) {
        if (!(typeof content === 'string' || content instanceof Uint8Array)) {
          throw new Error(`modify: ${id} is a binary file; pass its bytes`);
        }
        this.setContent(file, toBuffer(content));
      } else {
        throw new Error(`modify: ${id} (${file.mimeType}) has no content`);
      }
    }
    this.touch(file);
    return file;
  }

  rename(id: string, name: string): FakeFile {
    const file = this.mustGet(id);
    file.name = name;
    this.touch(file);
    return file;
  }

  /** Moves a file or folder under another folder (or a drive root); a folder carries its subtree across drives. */
  move(id: string, newParentId: string): FakeFile {
    const file = this.mustGet(id);
    const parent = this.resolveParent(newParentId);
    if (file.mimeType === FOLDER_MIME && (parent.id === id || this.isDescendant(parent.id, id))) {
      throw new Error(`move: ${newParentId} is inside ${id}`);
    }
    file.parents = [parent.id];
    const moved = file.driveId !== parent.driveId;
    this.setDriveId(file, parent.driveId);
    this.touch(file);
    if (moved) {
      for (const d of this.descendants(id)) {
        this.setDriveId(d, parent.driveId);
        this.touch(d);
      }
    }
    return file;
  }

  /** Trashes a file; a folder's descendants become trashed too, without being explicitly trashed. */
  trash(id: string): FakeFile {
    const file = this.mustGet(id);
    const time = this.tick();
    file.trashed = true;
    file.explicitlyTrashed = true;
    file.trashedTime = time;
    this.touch(file, time);
    for (const d of this.descendants(id)) {
      if (d.trashed) continue;
      d.trashed = true;
      d.explicitlyTrashed = false;
      d.trashedTime = time;
      this.touch(d, time);
    }
    return file;
  }

  untrash(id: string): FakeFile {
    const file = this.mustGet(id);
    file.trashed = false;
    file.explicitlyTrashed = false;
    delete file.trashedTime;
    this.touch(file);
    for (const d of this.descendants(id)) {
      if (!d.trashed || d.explicitlyTrashed) continue;
      d.trashed = false;
      delete d.trashedTime;
      this.touch(d);
    }
    return file;
  }

  /** Deletes for good (skipping the trash); a folder takes its subtree with it. */
  remove(id: string): void {
    const file = this.mustGet(id);
    const doomed = [file, ...this.descendants(id)];
    const time = this.tick();
    for (const f of doomed) {
      this.files.delete(f.id);
      this.record('file', f.id, time, true, f.driveId);
    }
  }

  renameSharedDrive(id: string, name: string): FakeSharedDrive {
    const drive = this.drives.get(id);
    if (!drive) throw new Error(`no shared drive ${id}`);
    drive.name = name;
    this.record('drive', id, this.tick(), false);
    return drive;
  }

  /**
   * Forgets the change log up to now: every page token issued so far stops being valid, as a token
   * Drive no longer honours would, so a client has to fall back to a full listing.
   */
  expireChangeTokens(): void {
    this.oldestValidToken = this.nextPosition;
  }

  // ---------------------------------------------------------------- reading

  get(id: string): FakeFile | undefined {
    return this.files.get(id === ROOT_ALIAS ? this.rootId : id);
  }

  sharedDrive(id: string): FakeSharedDrive | undefined {
    return this.drives.get(id);
  }

  /** Every file, in creation order (the roots of My Drive and of shared drives are not files here). */
  allFiles(): FakeFile[] {
    return [...this.files.values()].sort((a, b) => a.seq - b.seq);
  }

  sharedDrives(): FakeSharedDrive[] {
    return [...this.drives.values()].sort((a, b) => a.seq - b.seq);
  }

  children(parentId: string): FakeFile[] {
    const id = parentId === ROOT_ALIAS ? this.rootId : parentId;
    return this.allFiles().filter((f) => f.parents.includes(id));
  }

  descendants(folderId: string): FakeFile[] {
    // One index per call keeps trashing or moving a big folder linear rather than quadratic.
    const byParent = new Map<string, FakeFile[]>();
    for (const f of this.allFiles()) {
      for (const p of f.parents) {
        const siblings = byParent.get(p);
        if (siblings) siblings.push(f);
        else byParent.set(p, [f]);
      }
    }
    const out: FakeFile[] = [];
    const queue = [folderId === ROOT_ALIAS ? this.rootId : folderId];
    while (queue.length > 0) {
      const next = queue.shift()!;
      for (const child of byParent.get(next) ?? []) {
        out.push(child);
        if (child.mimeType === FOLDER_MIME) queue.push(child.id);
      }
    }
    return out;
  }

  /** The token `changes.getStartPageToken` hands out now: the position the next change will take. */
  startPageToken(): string {
    return String(this.nextPosition);
  }

  /** Whether Drive would still accept this `changes.list` page token. */
  isValidChangeToken(token: string): boolean {
    if (!/^[1-9][0-9]*$/.test(token)) return false;
    const n = Number(token);
    return n >= this.oldestValidToken && n <= this.nextPosition;
  }

  /** Log entries at or after a position, in log order (one per file or drive: the latest). */
  changesFrom(position: number): ChangeEntry[] {
    return [...this.log.values()].filter((e) => e.position >= position);
  }

  // ---------------------------------------------------------------- internals

  private create(
    name: string,
    mimeType: string,
    parentId: string,
    opts: AddOptions,
    body: { content?: Buffer; exports?: ExportsByMime; shortcut?: FakeFile['shortcutDetails'] },
  ): FakeFile {
    const parent = this.resolveParent(parentId);
    const id = opts.id ?? this.fileId();
    if (this.taken(id)) throw new Error(`id ${id} is taken`);
    const time = this.tick();
    const file: FakeFile = {
      id,
      name,
      mimeType,
      parents: [parent.id],
      trashed: false,
      explicitlyTrashed: false,
      createdTime: time,
      modifiedTime: time,
      version: 1,
      seq: ++this.seq,
    };
    if (parent.driveId !== undefined) file.driveId = parent.driveId;
    if (body.content !== undefined) this.setContent(file, body.content);
    if (body.exports !== undefined) {
      file.exports = new Map(Object.entries(body.exports).map(([m, b]) => [m, toBuffer(b)]));
    }
    if (body.shortcut !== undefined) file.shortcutDetails = body.shortcut;
    this.files.set(id, file);
    this.record('file', id, time, false, file.driveId);
    return file;
  }

  private setContent(file: FakeFile, content: Buffer): void {
    file.content = content;
    file.md5Checksum = createHash('md5').update(content).digest('hex');
    file.sha1Checksum = createHash('sha1').update(content).digest('hex');
    file.sha256Checksum = createHash('sha256').update(content).digest('hex');
    file.headRevisionId = `0B${createHash('sha1').update(`${file.id}:${this.seq}:${file.md5Checksum}`).digest('base64url').slice(0, 40)}`;
  }

  private setDriveId(file: FakeFile, driveId: string | undefined): void {
    if (driveId === undefined) delete file.driveId;
    else file.driveId = driveId;
  }

  /** Drive bumps version on every change to a file, content or metadata. */
  private touch(file: FakeFile, time = this.tick()): void {
    file.version += 1;
    file.modifiedTime = time;
    this.record('file', file.id, time, false, file.driveId);
  }

  private record(changeType: 'file' | 'drive', id: string, time: string, removed: boolean, driveId?: string): void {
    const key = `${changeType}:${id}`;
    this.log.delete(key);
    const entry: ChangeEntry =
      driveId === undefined
        ? { position: this.nextPosition++, changeType, id, time, removed }
        : { position: this.nextPosition++, changeType, id, time, removed, driveId };
    this.log.set(key, entry);
  }

  private resolveParent(parentId: string): { id: string; driveId?: string } {
    if (parentId === ROOT_ALIAS || parentId === this.rootId) return { id: this.rootId };
    if (this.drives.has(parentId)) return { id: parentId, driveId: parentId };
    const folder = this.files.get(parentId);
    if (!folder) throw new Error(`no parent ${parentId}`);
    if (folder.mimeType !== FOLDER_MIME) throw new Error(`parent ${parentId} is not a folder`);
    return folder.driveId === undefined ? { id: folder.id } : { id: folder.id, driveId: folder.driveId };
  }

  private isDescendant(candidateId: string, ancestorId: string): boolean {
    return this.descendants(ancestorId).some((d) => d.id === candidateId);
  }

  private mustGet(id: string): FakeFile {
    const file = this.get(id);
    if (!file) throw new Error(`no file ${id}`);
    return file;
  }

  /** ISO time with milliseconds, strictly increasing so every change sorts after the last. */
  private tick(): string {
    this.lastTime = Math.max(this.now(), this.lastTime + 1);
    return new Date(this.lastTime).toISOString();
  }

  /** Deterministic from the seed and a counter, so a test's ids are the same from run to run. */
  private randomChars(n: number): string {
    const digest = createHash('sha256').update(`${this.idSeed}:${this.idCounter++}`).digest();
    let out = '';
    for (let i = 0; out.length < n; i++) out += ID_ALPHABET[digest[i % digest.length]! % 64];
    return out;
  }

  private taken(id: string): boolean {
    return this.files.has(id) || this.drives.has(id) || id === this.rootId;
  }

  /** 33 characters starting with '1', like the ids Drive gives files. */
  private fileId(): string {
    let id: string;
    do id = '1' + this.randomChars(32);
    while (this.taken(id));
    return id;
  }

  /** My Drive root and shared drive ids look like '0A…Uk9PVA' ("ROOT" in base64). */
  private driveLikeId(): string {
    let id: string;
    do id = `0A${this.randomChars(11)}Uk9PVA`;
    while (this.taken(id));
    return id;
  }
}
