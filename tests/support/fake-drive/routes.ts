import { createHash } from 'node:crypto';
import { errors } from './errors.js';
import {
  ABOUT_SCHEMA,
  CHANGE_LIST_SCHEMA,
  DEFAULT_FIELDS,
  DRIVE_LIST_SCHEMA,
  DRIVE_SCHEMA,
  FieldsError,
  FILE_LIST_SCHEMA,
  FILE_SCHEMA,
  project,
  selection,
  START_PAGE_TOKEN_SCHEMA,
  type Schema,
} from './fields.js';
import {
  FOLDER_MIME,
  isGoogleNative,
  ROOT_ALIAS,
  type ChangeEntry,
  type FakeDrive,
  type FakeFile,
  type FakeSharedDrive,
} from './model.js';
import { matches, parseQuery, QueryError, type QueryNode } from './query.js';

/** Behaviour knobs of the Drive API, changeable while the server runs. */
export interface DriveApiSettings {
  /** files.export refuses (403 exportSizeLimitExceeded) exports larger than this. Drive: 10 MB. */
  exportSizeLimitBytes: number;
  /** More `'<id>' in parents` terms than this in one `q` is a 400. */
  maxParentsPerQuery: number;
  /**
   * Caps every files.list/changes.list page below the pageSize asked for. Drive documents that
   * pages may come back short before the end, so a client must follow nextPageToken, not count.
   */
  maxItemsPerPage?: number;
}

export interface ApiContext {
  drive: FakeDrive;
  settings: DriveApiSettings;
  /** http://127.0.0.1:<port>/ */
  rootUrl: string;
}

export type ApiResult =
  { kind: 'json'; body: unknown } | { kind: 'bytes'; status: number; headers: Record<string, string>; body: Buffer };

const json = (body: unknown): ApiResult => ({ kind: 'json', body });

// ------------------------------------------------------------------ parameters

function bool(q: URLSearchParams, name: string, fallback = false): boolean {
  const v = q.get(name);
  if (v === null) return fallback;
  const lower = v.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw errors.invalid(name);
}

function pageSize(q: URLSearchParams, fallback: number, max: number): number {
  const v = q.get('pageSize');
  if (v === null) return fallback;
  const n = /^-?\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > max) throw errors.pageSizeRange(v, max);
  return n;
}

function fields(q: URLSearchParams, schema: Schema, fallback: string) {
  try {
    return selection(q.get('fields'), schema, fallback);
  } catch (e) {
    if (e instanceof FieldsError) throw errors.invalidFields(e.selection);
    throw e;
  }
}

/** files.list and drives.list page tokens: an offset bound to the query that issued it. */
function encodePageToken(offset: number, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ o: offset, f: fingerprint })).toString('base64url');
}

function decodePageToken(token: string | null, fingerprint: string): number {
  if (token === null || token === '') return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown; f?: unknown };
    if (Number.isInteger(parsed.o) && (parsed.o as number) >= 0 && parsed.f === fingerprint) return parsed.o as number;
  } catch {
    // fall through: not a token this server issued
  }
  throw errors.invalid('pageToken');
}

const fingerprint = (parts: unknown[]) => createHash('sha1').update(JSON.stringify(parts)).digest('base64url');

function spacesInclude(q: URLSearchParams, space: 'drive'): boolean {
  const spaces = (q.get('spaces') ?? 'drive').split(',').map((s) => s.trim());
  if (spaces.some((s) => s !== 'drive' && s !== 'appDataFolder')) throw errors.invalid('spaces');
  return spaces.includes(space);
}

// ------------------------------------------------------------------ resources

function extension(name: string): { fileExtension?: string; fullFileExtension?: string } {
  const dot = name.indexOf('.');
  if (dot <= 0) return {};
  return { fileExtension: name.slice(name.lastIndexOf('.') + 1), fullFileExtension: name.slice(dot + 1) };
}

function owner(ctx: ApiContext) {
  const u = ctx.drive.user;
  return {
    kind: 'drive#user',
    displayName: u.displayName,
    me: true,
    permissionId: u.permissionId,
    emailAddress: u.emailAddress,
  };
}

/** The full v3 File resource; `fields` then picks from it. Fields Drive leaves out stay out. */
export function fileResource(ctx: ApiContext, f: FakeFile): Record<string, unknown> {
  const isFolder = f.mimeType === FOLDER_MIME;
  const r: Record<string, unknown> = {
    kind: 'drive#file',
    id: f.id,
    name: f.name,
    mimeType: f.mimeType,
    parents: [...f.parents],
    starred: false,
    trashed: f.trashed,
    explicitlyTrashed: f.explicitlyTrashed,
    trashedTime: f.trashedTime,
    version: String(f.version),
    createdTime: f.createdTime,
    modifiedTime: f.modifiedTime,
    spaces: ['drive'],
    viewedByMe: true,
    shared: false,
    lastModifyingUser: owner(ctx),
    capabilities: {
      canDownload: !isFolder,
      canListChildren: isFolder,
      canEdit: true,
      canRename: true,
      canTrash: true,
      canCopy: !isFolder,
    },
    quotaBytesUsed: String(f.content?.length ?? 0),
  };
  if (f.driveId !== undefined) {
    r.driveId = f.driveId;
    r.teamDriveId = f.driveId;
  } else {
    r.ownedByMe = true;
    r.owners = [owner(ctx)];
  }
  if (f.content !== undefined) {
    Object.assign(r, {
      size: String(f.content.length),
      md5Checksum: f.md5Checksum,
      sha1Checksum: f.sha1Checksum,
      sha256Checksum: f.sha256Checksum,
      headRevisionId: f.headRevisionId,
      originalFilename: f.name,
      ...extension(f.name),
    });
  }
  if (f.exports !== undefined) {
    // Drive's exportLinks point at docs.google.com; here they point at this server's export route.
    r.exportLinks = Object.fromEntries(
      [...f.exports.keys()].map((m) => [
        m,
        `${ctx.rootUrl}drive/v3/files/${encodeURIComponent(f.id)}/export?mimeType=${encodeURIComponent(m)}`,
      ]),
    );
  }
  if (f.shortcutDetails !== undefined) r.shortcutDetails = { ...f.shortcutDetails };
  return r;
}

function rootFolderResource(ctx: ApiContext, id: string, name: string, time: string, driveId?: string) {
  const r: Record<string, unknown> = {
    kind: 'drive#file',
    id,
    name,
    mimeType: FOLDER_MIME,
    starred: false,
    trashed: false,
    explicitlyTrashed: false,
    version: '1',
    createdTime: time,
    modifiedTime: time,
    spaces: ['drive'],
    capabilities: { canListChildren: true, canDownload: false },
    quotaBytesUsed: '0',
  };
  if (driveId !== undefined) {
    r.driveId = driveId;
    r.teamDriveId = driveId;
  } else {
    r.ownedByMe = true;
    r.owners = [owner(ctx)];
  }
  return r;
}

function driveResource(d: FakeSharedDrive): Record<string, unknown> {
  return {
    kind: 'drive#drive',
    id: d.id,
    name: d.name,
    createdTime: d.createdTime,
    hidden: false,
    capabilities: { canListChildren: true, canDownload: true, canEdit: true },
    restrictions: {
      adminManagedRestrictions: false,
      copyRequiresWriterPermission: false,
      domainUsersOnly: false,
      driveMembersOnly: false,
    },
  };
}

// ------------------------------------------------------------------ files

const ORDER_KEYS = new Set([
  'createdTime',
  'folder',
  'modifiedByMeTime',
  'modifiedTime',
  'name',
  'name_natural',
  'quotaBytesUsed',
  'recency',
  'sharedWithMeTime',
  'starred',
  'viewedByMeTime',
]);
const natural = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

type Comparator = (a: FakeFile, b: FakeFile) => number;

function orderBy(spec: string | null): Comparator {
  const keys: Comparator[] = [];
  for (const part of (spec ?? '').split(',').map((p) => p.trim())) {
    if (part === '') continue;
    const m = /^([A-Za-z_]+)(?:\s+(asc|desc))?$/i.exec(part);
    if (!m || !ORDER_KEYS.has(m[1]!)) throw errors.invalid('orderBy');
    const sign = m[2]?.toLowerCase() === 'desc' ? -1 : 1;
    const key = m[1]!;
    let cmp: Comparator;
    switch (key) {
      case 'folder':
        // Ascending puts folders first, as Drive's web UI and API do.
        cmp = (a, b) => Number(a.mimeType !== FOLDER_MIME) - Number(b.mimeType !== FOLDER_MIME);
        break;
      case 'name': {
        const k = (f: FakeFile) => f.name.toLowerCase();
        cmp = (a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0);
        break;
      }
      case 'name_natural':
        cmp = (a, b) => natural.compare(a.name, b.name);
        break;
      case 'createdTime':
        cmp = (a, b) => Date.parse(a.createdTime) - Date.parse(b.createdTime);
        break;
      case 'quotaBytesUsed':
        cmp = (a, b) => (a.content?.length ?? 0) - (b.content?.length ?? 0);
        break;
      case 'starred':
      case 'sharedWithMeTime':
        cmp = () => 0;
        break;
      default:
        // modifiedTime, recency and the by-me times: the fake has one user, so they coincide.
        cmp = (a, b) => Date.parse(a.modifiedTime) - Date.parse(b.modifiedTime);
    }
    keys.push((a, b) => sign * cmp(a, b));
  }
  return (a, b) => {
    for (const k of keys) {
      const c = k(a, b);
      if (c !== 0) return c;
    }
    return a.seq - b.seq;
  };
}

function parseQ(q: string | null, maxParents: number): QueryNode {
  try {
    const parsed = parseQuery(q ?? '');
    if (parsed.parentTerms > maxParents) throw errors.invalid('q');
    return parsed.root;
  } catch (e) {
    if (e instanceof QueryError) throw errors.invalid('q');
    throw e;
  }
}

function filesList(ctx: ApiContext, q: URLSearchParams): ApiResult {
  // Drive checks in this order: pageSize, orderBy, q, pageToken, fields.
  const size = Math.min(pageSize(q, 100, 1000), ctx.settings.maxItemsPerPage ?? Infinity);
  const compare = orderBy(q.get('orderBy'));
  const query = parseQ(q.get('q'), ctx.settings.maxParentsPerQuery);
  const supportsAll = bool(q, 'supportsAllDrives') || bool(q, 'supportsTeamDrives');
  const includeAll = bool(q, 'includeItemsFromAllDrives') || bool(q, 'includeTeamDriveItems');
  const driveId = q.get('driveId') || undefined;
  const corpora = q.get('corpora') ?? (driveId !== undefined ? 'drive' : 'user');
  if (!['user', 'domain', 'drive', 'allDrives'].includes(corpora)) throw errors.invalid('corpora');
  if ((corpora === 'drive') !== (driveId !== undefined)) throw errors.driveIdCorpora();
  if ((corpora === 'drive' || corpora === 'allDrives') && !includeAll) throw errors.includeItemsRequired(corpora);
  if (driveId !== undefined && !ctx.drive.sharedDrive(driveId)) throw errors.sharedDriveNotFound(driveId);
  const inDriveSpace = spacesInclude(q, 'drive');
  const print = fingerprint([q.get('q'), q.get('orderBy'), corpora, driveId, supportsAll, includeAll, q.get('spaces')]);
  const offset = decodePageToken(q.get('pageToken'), print);
  const sel = fields(q, FILE_LIST_SCHEMA, DEFAULT_FIELDS.fileList);

  // Shared-drive items need both flags, as on Drive; corpora=domain is served as user.
  const sharedVisible = supportsAll && includeAll;
  const inScope = (f: FakeFile) =>
    corpora === 'drive' ? sharedVisible && f.driveId === driveId : f.driveId === undefined || sharedVisible;
  const hits = inDriveSpace
    ? ctx.drive
        .allFiles()
        .filter((f) => inScope(f) && matches(query, f, ctx.drive.rootId))
        .sort(compare)
    : [];
  const page = hits.slice(offset, offset + size);
  const body: Record<string, unknown> = { kind: 'drive#fileList', incompleteSearch: false };
  if (offset + size < hits.length) body.nextPageToken = encodePageToken(offset + size, print);
  body.files = page.map((f) => fileResource(ctx, f));
  return json(project(body, sel));
}

/** files.get and export reach shared-drive items only with supportsAllDrives, or Drive says 404. */
function lookup(ctx: ApiContext, rawId: string, supportsAll: boolean): Record<string, unknown> | FakeFile {
  const id = rawId === ROOT_ALIAS ? ctx.drive.rootId : rawId;
  if (id === ctx.drive.rootId) return rootFolderResource(ctx, id, 'My Drive', ctx.drive.rootCreatedTime);
  const shared = ctx.drive.sharedDrive(id);
  if (shared) {
    if (!supportsAll) throw errors.fileNotFound(rawId);
    return rootFolderResource(ctx, id, shared.name, shared.createdTime, id);
  }
  const file = ctx.drive.get(id);
  if (!file || (file.driveId !== undefined && !supportsAll)) throw errors.fileNotFound(rawId);
  return file;
}

const isFakeFile = (v: Record<string, unknown> | FakeFile): v is FakeFile => 'seq' in v;

function filesGet(ctx: ApiContext, rawId: string, q: URLSearchParams, headers: RequestHeaders): ApiResult {
  const supportsAll = bool(q, 'supportsAllDrives') || bool(q, 'supportsTeamDrives');
  const alt = q.get('alt') ?? 'json';
  if (alt !== 'json' && alt !== 'media') throw errors.invalid('alt');
  const found = lookup(ctx, rawId, supportsAll);
  if (alt === 'json') {
    const sel = fields(q, FILE_SCHEMA, DEFAULT_FIELDS.file);
    return json(project(isFakeFile(found) ? fileResource(ctx, found) : found, sel));
  }
  if (!isFakeFile(found) || found.content === undefined) throw errors.fileNotDownloadable();
  return media(found.content, found.mimeType, headers.range);
}

/** Bytes with Range support: one `bytes=a-b`, `bytes=a-` or `bytes=-n` range answers 206. */
function media(content: Buffer, mimeType: string, range: string | undefined): ApiResult {
  const base = { 'Content-Type': mimeType, 'Accept-Ranges': 'bytes' };
  const m = range ? /^bytes=(\d*)-(\d*)$/.exec(range.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) {
    return { kind: 'bytes', status: 200, headers: base, body: content };
  }
  const total = content.length;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, total - Number(m[2]));
    end = total - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? total - 1 : Math.min(Number(m[2]), total - 1);
  }
  if (start >= total || start > end) throw errors.rangeNotSatisfiable();
  return {
    kind: 'bytes',
    status: 206,
    headers: { ...base, 'Content-Range': `bytes ${start}-${end}/${total}` },
    body: content.subarray(start, end + 1),
  };
}

function filesExport(ctx: ApiContext, rawId: string, q: URLSearchParams): ApiResult {
  const wanted = q.get('mimeType');
  if (wanted === null) throw errors.required('mimeType');
  // files.export takes no supportsAllDrives: it reaches shared-drive files regardless.
  const found = lookup(ctx, rawId, true);
  if (!isFakeFile(found) || !isGoogleNative(found.mimeType) || found.exports === undefined) {
    throw errors.fileNotExportable();
  }
  const match = [...found.exports.entries()].find(([m]) => m.toLowerCase() === wanted.toLowerCase());
  if (!match) throw errors.conversionNotSupported();
  const bytes = match[1];
  if (bytes.length > ctx.settings.exportSizeLimitBytes) throw errors.exportSizeLimitExceeded();
  return { kind: 'bytes', status: 200, headers: { 'Content-Type': wanted }, body: bytes };
}

// ------------------------------------------------------------------ drives, about

function drivesList(ctx: ApiContext, q: URLSearchParams): ApiResult {
  const size = pageSize(q, 10, 100);
  if (q.get('q')) throw errors.notModelled('drives.list with q');
  const print = fingerprint(['drives']);
  const offset = decodePageToken(q.get('pageToken'), print);
  const sel = fields(q, DRIVE_LIST_SCHEMA, DEFAULT_FIELDS.driveList);
  const all = ctx.drive.sharedDrives();
  const body: Record<string, unknown> = { kind: 'drive#driveList' };
  if (offset + size < all.length) body.nextPageToken = encodePageToken(offset + size, print);
  body.drives = all.slice(offset, offset + size).map(driveResource);
  return json(project(body, sel));
}

function drivesGet(ctx: ApiContext, id: string, q: URLSearchParams): ApiResult {
  const d = ctx.drive.sharedDrive(id);
  if (!d) throw errors.sharedDriveNotFound(id);
  return json(project(driveResource(d), fields(q, DRIVE_SCHEMA, DEFAULT_FIELDS.drive)));
}

function aboutGet(ctx: ApiContext, q: URLSearchParams): ApiResult {
  // about.get is the one method where Drive insists on a field selection.
  if (!q.get('fields')) throw errors.required('fields', "The 'fields' parameter is required for this method.");
  const sel = fields(q, ABOUT_SCHEMA, '');
  const mine = ctx.drive.allFiles().filter((f) => f.driveId === undefined);
  const used = (files: FakeFile[]) => String(files.reduce((n, f) => n + (f.content?.length ?? 0), 0));
  return json(
    project(
      {
        kind: 'drive#about',
        user: owner(ctx),
        storageQuota: {
          limit: String(15 * 1024 ** 3),
          usage: used(mine),
          usageInDrive: used(mine),
          usageInDriveTrash: used(mine.filter((f) => f.trashed)),
        },
        maxUploadSize: String(5 * 1024 ** 4),
        canCreateDrives: true,
        appInstalled: false,
      },
      sel,
    ),
  );
}

// ------------------------------------------------------------------ changes

function startPageToken(ctx: ApiContext, q: URLSearchParams): ApiResult {
  const driveId = q.get('driveId') || undefined;
  if (driveId !== undefined && !ctx.drive.sharedDrive(driveId)) throw errors.sharedDriveNotFound(driveId);
  const sel = fields(q, START_PAGE_TOKEN_SCHEMA, DEFAULT_FIELDS.startPageToken);
  return json(project({ kind: 'drive#startPageToken', startPageToken: ctx.drive.startPageToken() }, sel));
}

function changesList(ctx: ApiContext, q: URLSearchParams): ApiResult {
  const token = q.get('pageToken');
  if (token === null || token === '') throw errors.required('pageToken');
  const size = Math.min(pageSize(q, 100, 1000), ctx.settings.maxItemsPerPage ?? Infinity);
  // Drive answers 400 invalid for a token it did not issue (or no longer honours); clients fall back to a full listing.
  if (!ctx.drive.isValidChangeToken(token)) throw errors.invalid('pageToken');
  const includeRemoved = bool(q, 'includeRemoved', true);
  const restrictToMyDrive = bool(q, 'restrictToMyDrive');
  const supportsAll = bool(q, 'supportsAllDrives') || bool(q, 'supportsTeamDrives');
  const includeAll = bool(q, 'includeItemsFromAllDrives') || bool(q, 'includeTeamDriveItems');
  const driveId = q.get('driveId') || undefined;
  if (driveId !== undefined && !ctx.drive.sharedDrive(driveId)) throw errors.sharedDriveNotFound(driveId);
  const inDriveSpace = spacesInclude(q, 'drive');
  const sel = fields(q, CHANGE_LIST_SCHEMA, DEFAULT_FIELDS.changeList);

  const sharedVisible = supportsAll && includeAll && !restrictToMyDrive;
  const visible = (e: ChangeEntry): boolean => {
    if (!inDriveSpace) return false;
    if (e.changeType === 'drive') return driveId === undefined && sharedVisible;
    const file = e.removed ? undefined : ctx.drive.get(e.id);
    if ((e.removed || !file) && !includeRemoved) return false;
    const where = file ? file.driveId : e.driveId;
    return driveId !== undefined ? where === driveId : where === undefined || sharedVisible;
  };
  const pending = ctx.drive.changesFrom(Number(token)).filter(visible);
  const page = pending.slice(0, size);
  const body: Record<string, unknown> = { kind: 'drive#changeList' };
  const next = pending[size];
  if (next) body.nextPageToken = String(next.position);
  else body.newStartPageToken = ctx.drive.startPageToken();
  body.changes = page.map((e) => changeResource(ctx, e));
  return json(project(body, sel));
}

function changeResource(ctx: ApiContext, e: ChangeEntry): Record<string, unknown> {
  if (e.changeType === 'drive') {
    const d = ctx.drive.sharedDrive(e.id);
    const r: Record<string, unknown> = {
      kind: 'drive#change',
      changeType: 'drive',
      time: e.time,
      removed: !d,
      driveId: e.id,
    };
    if (d) r.drive = driveResource(d);
    return r;
  }
  const file = e.removed ? undefined : ctx.drive.get(e.id);
  const r: Record<string, unknown> = {
    kind: 'drive#change',
    changeType: 'file',
    time: e.time,
    removed: !file,
    fileId: e.id,
  };
  if (file) r.file = fileResource(ctx, file);
  return r;
}

// ------------------------------------------------------------------ dispatch

export interface RequestHeaders {
  range?: string;
}

/** Routes one request under /drive/v3/; throws DriveApiError for Drive's error answers. */
export function driveApi(
  ctx: ApiContext,
  method: string,
  pathname: string,
  q: URLSearchParams,
  headers: RequestHeaders,
): ApiResult {
  const segments = pathname
    .slice('/drive/v3/'.length)
    .split('/')
    .map((s) => decodeURIComponent(s));
  const [a, b, c, ...rest] = segments;
  if (method === 'GET' && rest.length === 0) {
    if (a === 'files' && b === undefined) return filesList(ctx, q);
    if (a === 'files' && b && c === undefined) return filesGet(ctx, b, q, headers);
    if (a === 'files' && b && c === 'export') return filesExport(ctx, b, q);
    if (a === 'drives' && b === undefined) return drivesList(ctx, q);
    if (a === 'drives' && b && c === undefined) return drivesGet(ctx, b, q);
    if (a === 'changes' && b === undefined) return changesList(ctx, q);
    if (a === 'changes' && b === 'startPageToken' && c === undefined) return startPageToken(ctx, q);
    if (a === 'about' && b === undefined) return aboutGet(ctx, q);
  }
  throw errors.notModelled(`${method} ${pathname}`);
}
