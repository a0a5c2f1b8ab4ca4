/**
 * Google's partial-response `fields` parameter: `nextPageToken, files(id,name,parents)`,
 * `files/id`, `*`, `changes(file(id,md5Checksum))`. A response carries exactly what was selected,
 * so a client that forgets `nextPageToken` in its selection does not get one, as on Drive. Names
 * are checked against the v3 schemas; an unknown one is Drive's 400 `Invalid field selection`.
 */

/** `true`: the whole value; a nested selection otherwise. */
export type Selection = Map<string, Selection | true>;

export class FieldsError extends Error {
  constructor(readonly selection: string) {
    super(`Invalid field selection ${selection}`);
  }
}

export function parseFields(spec: string): Selection {
  let i = 0;
  const s = spec;

  function skipSpace(): void {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  }

  function name(): string {
    skipSpace();
    const m = /^(\*|[A-Za-z_][A-Za-z0-9_]*)/.exec(s.slice(i));
    if (!m) throw new FieldsError(s.slice(i) || spec);
    i += m[0].length;
    return m[0];
  }

  function merge(into: Selection, key: string, value: Selection | true): void {
    const existing = into.get(key);
    if (existing === true || value === true) into.set(key, true);
    else if (existing === undefined) into.set(key, value);
    else for (const [k, v] of value) merge(existing, k, v);
  }

  function list(closing: boolean): Selection {
    const sel: Selection = new Map();
    for (;;) {
      skipSpace();
      if (i >= s.length || (closing && s[i] === ')')) break;
      // a/b/c(d) is a(b(c(d)))
      const path = [name()];
      skipSpace();
      while (s[i] === '/') {
        i++;
        path.push(name());
        skipSpace();
      }
      let leaf: Selection | true = true;
      if (s[i] === '(') {
        i++;
        leaf = list(true);
        if (s[i] !== ')') throw new FieldsError(spec);
        i++;
      }
      let value: Selection | true = leaf;
      for (let k = path.length - 1; k >= 1; k--) value = new Map([[path[k]!, value]]);
      merge(sel, path[0]!, value);
      skipSpace();
      if (s[i] === ',') i++;
      else if (i < s.length && !(closing && s[i] === ')')) throw new FieldsError(spec);
    }
    return sel;
  }

  const sel = list(false);
  if (i !== s.length) throw new FieldsError(spec);
  return sel;
}

/** A resource schema: each field maps to the schema of its value, or null for a value not described further. */
export type Schema = { readonly [field: string]: Schema | null };

const USER: Schema = {
  kind: null,
  displayName: null,
  emailAddress: null,
  me: null,
  permissionId: null,
  photoLink: null,
};

// Field names from the v3 discovery document (Schema$File in @googleapis/drive).
const FILE_FIELDS = [
  'appProperties',
  'capabilities',
  'clientEncryptionDetails',
  'contentHints',
  'contentRestrictions',
  'copyRequiresWriterPermission',
  'createdTime',
  'description',
  'downloadRestrictions',
  'driveId',
  'explicitlyTrashed',
  'exportLinks',
  'fileExtension',
  'folderColorRgb',
  'fullFileExtension',
  'hasAugmentedPermissions',
  'hasThumbnail',
  'headRevisionId',
  'iconLink',
  'id',
  'imageMediaMetadata',
  'inheritedPermissionsDisabled',
  'isAppAuthorized',
  'kind',
  'labelInfo',
  'linkShareMetadata',
  'md5Checksum',
  'mimeType',
  'modifiedByMe',
  'modifiedByMeTime',
  'modifiedTime',
  'name',
  'originalFilename',
  'ownedByMe',
  'parents',
  'permissionIds',
  'permissions',
  'properties',
  'quotaBytesUsed',
  'resourceKey',
  'sha1Checksum',
  'sha256Checksum',
  'shared',
  'sharedWithMeTime',
  'size',
  'spaces',
  'starred',
  'teamDriveId',
  'thumbnailLink',
  'thumbnailVersion',
  'trashed',
  'trashedTime',
  'version',
  'videoMediaMetadata',
  'viewedByMe',
  'viewedByMeTime',
  'viewersCanCopyContent',
  'webContentLink',
  'webViewLink',
  'writersCanShare',
];

export const FILE_SCHEMA: Schema = {
  ...Object.fromEntries(FILE_FIELDS.map((f) => [f, null])),
  shortcutDetails: { targetId: null, targetMimeType: null, targetResourceKey: null },
  owners: USER,
  lastModifyingUser: USER,
  sharingUser: USER,
  trashingUser: USER,
};

const DRIVE_FIELDS = [
  'backgroundImageFile',
  'backgroundImageLink',
  'capabilities',
  'colorRgb',
  'createdTime',
  'hidden',
  'id',
  'kind',
  'name',
  'orgUnitId',
  'restrictions',
  'themeId',
];
export const DRIVE_SCHEMA: Schema = Object.fromEntries(DRIVE_FIELDS.map((f) => [f, null]));

export const FILE_LIST_SCHEMA: Schema = { kind: null, nextPageToken: null, incompleteSearch: null, files: FILE_SCHEMA };
export const DRIVE_LIST_SCHEMA: Schema = { kind: null, nextPageToken: null, drives: DRIVE_SCHEMA };
export const CHANGE_SCHEMA: Schema = {
  kind: null,
  changeType: null,
  type: null,
  time: null,
  removed: null,
  fileId: null,
  file: FILE_SCHEMA,
  driveId: null,
  drive: DRIVE_SCHEMA,
  teamDriveId: null,
  teamDrive: null,
};
export const CHANGE_LIST_SCHEMA: Schema = {
  kind: null,
  nextPageToken: null,
  newStartPageToken: null,
  changes: CHANGE_SCHEMA,
};
export const START_PAGE_TOKEN_SCHEMA: Schema = { kind: null, startPageToken: null };
export const ABOUT_SCHEMA: Schema = {
  ...Object.fromEntries(
    [
      'appInstalled',
      'canCreateDrives',
      'canCreateTeamDrives',
      'driveThemes',
      'exportFormats',
      'folderColorPalette',
      'importFormats',
      'kind',
      'maxImportSizes',
      'maxUploadSize',
      'storageQuota',
      'teamDriveThemes',
    ].map((f) => [f, null]),
  ),
  user: USER,
};

/** Drive's default projections, for a request without `fields`. */
export const DEFAULT_FIELDS = {
  file: 'kind,id,name,mimeType',
  fileList: 'kind,incompleteSearch,nextPageToken,files(kind,id,name,mimeType)',
  drive: 'kind,id,name',
  driveList: 'kind,nextPageToken,drives(kind,id,name)',
  changeList:
    'kind,nextPageToken,newStartPageToken,changes(kind,changeType,time,removed,fileId,file(kind,id,name,mimeType),driveId,drive(kind,id,name))',
  startPageToken: 'kind,startPageToken',
} as const;

/** Throws FieldsError naming the first selected field the schema does not have. */
export function validate(sel: Selection, schema: Schema, prefix = ''): void {
  for (const [key, sub] of sel) {
    if (key === '*') continue;
    if (!Object.prototype.hasOwnProperty.call(schema, key)) throw new FieldsError(prefix + key);
    const child = schema[key];
    if (sub !== true && child) validate(sub, child, `${prefix}${key}/`);
  }
}

/** Parses and validates `fields`, falling back to the default projection when it is absent. */
export function selection(fields: string | null, schema: Schema, fallback: string): Selection {
  const sel = parseFields(fields ?? fallback);
  validate(sel, schema);
  return sel;
}

export function project(value: unknown, sel: Selection): unknown {
  if (Array.isArray(value)) return value.map((v) => project(v, sel));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const all = sel.get('*') === true;
  for (const [key, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    const sub = sel.get(key);
    if (all || sub === true) out[key] = v;
    else if (sub !== undefined) out[key] = project(v, sub);
  }
  return out;
}
