/**
 * Drive v3 error bodies, in the legacy `errors[]` shape Drive still sends:
 * `{"error":{"code":404,"message":"File not found: X.","errors":[{"message":…,"domain":"global","reason":"notFound",…}]}}`.
 * gaxios reads `error.message`, `error.code` and `error.errors` out of exactly this shape.
 */

export interface DriveErrorItem {
  message: string;
  domain: string;
  reason: string;
  location?: string;
  locationType?: 'parameter' | 'header' | 'other';
  extendedHelp?: string;
}

export interface DriveErrorBody {
  error: {
    code: number;
    message: string;
    errors: DriveErrorItem[];
    /** Only on answers from Google's front end (auth, quota): 'UNAUTHENTICATED', 'RESOURCE_EXHAUSTED', … */
    status?: string;
  };
}

/** Thrown by route handlers; the server turns it into the JSON answer. */
export class DriveApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: DriveErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.error.message);
  }
}

export function errorBody(
  code: number,
  item: Omit<DriveErrorItem, 'domain'> & { domain?: string },
  opts: { message?: string; status?: string } = {},
): DriveErrorBody {
  const full: DriveErrorItem = { message: item.message, domain: item.domain ?? 'global', reason: item.reason };
  if (item.location !== undefined) full.location = item.location;
  if (item.locationType !== undefined) full.locationType = item.locationType;
  if (item.extendedHelp !== undefined) full.extendedHelp = item.extendedHelp;
  const error: DriveErrorBody['error'] = { code, message: opts.message ?? item.message, errors: [full] };
  if (opts.status !== undefined) error.status = opts.status;
  return { error };
}

function fail(code: number, item: Omit<DriveErrorItem, 'domain'> & { domain?: string }): DriveApiError {
  return new DriveApiError(code, errorBody(code, item));
}

export const errors = {
  fileNotFound: (fileId: string) =>
    fail(404, {
      reason: 'notFound',
      message: `File not found: ${fileId}.`,
      location: 'fileId',
      locationType: 'parameter',
    }),
  sharedDriveNotFound: (driveId: string) =>
    fail(404, {
      reason: 'notFound',
      message: `Shared drive not found: ${driveId}`,
      location: 'driveId',
      locationType: 'parameter',
    }),
  /** Drive's answer to a parameter value it cannot use: a page token it did not issue, a bad `q`, … */
  invalid: (location: string, message = 'Invalid Value') =>
    fail(400, { reason: 'invalid', message, location, locationType: 'parameter' }),
  required: (location: string, message = `Required parameter: ${location}`) =>
    fail(400, { reason: 'required', message, location, locationType: 'parameter' }),
  pageSizeRange: (value: string, max: number) =>
    fail(400, {
      reason: 'invalid',
      message: `Invalid value '${value}'. Values must be within the range: [1, ${max}]`,
      location: 'pageSize',
      locationType: 'parameter',
    }),
  invalidFields: (selection: string) =>
    fail(400, {
      reason: 'invalidParameter',
      message: `Invalid field selection ${selection}`,
      location: 'fields',
      locationType: 'parameter',
    }),
  driveIdCorpora: () =>
    fail(400, {
      reason: 'invalid',
      message: 'The driveId parameter must be specified if and only if corpora is set to drive.',
      location: 'driveId',
      locationType: 'parameter',
    }),
  includeItemsRequired: (corpora: string) =>
    fail(403, {
      reason: 'teamDriveIncludeItemsRequired',
      message: `The includeItemsFromAllDrives parameter must be set to true when corpora is set to ${corpora}.`,
      location: 'includeItemsFromAllDrives',
      locationType: 'parameter',
    }),
  fileNotDownloadable: () =>
    fail(403, {
      reason: 'fileNotDownloadable',
      message: 'Only files with binary content can be downloaded. Use Export with Docs Editors files.',
      location: 'alt',
      locationType: 'parameter',
    }),
  fileNotExportable: () =>
    fail(403, { reason: 'fileNotExportable', message: 'Export only supports Docs Editors files.' }),
  conversionNotSupported: () =>
    fail(400, {
      reason: 'badRequest',
      message: 'The requested conversion is not supported.',
      location: 'convertTo',
      locationType: 'parameter',
    }),
  exportSizeLimitExceeded: () =>
    fail(403, { reason: 'exportSizeLimitExceeded', message: 'This file is too large to be exported.' }),
  rangeNotSatisfiable: () =>
    fail(416, { reason: 'requestedRangeNotSatisfiable', message: 'Request range not satisfiable' }),
  notModelled: (what: string) =>
    fail(501, { reason: 'notImplemented', message: `The fake Drive does not model ${what}` }),
};

const AUTH_HEADER_HELP =
  'Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

/** What Google's front end answers before Drive sees the request. */
export const authErrors = {
  loginRequired: () =>
    new DriveApiError(
      401,
      errorBody(
        401,
        { reason: 'required', message: 'Login Required.', location: 'Authorization', locationType: 'header' },
        {
          message: `Request is missing required authentication credential. ${AUTH_HEADER_HELP}`,
          status: 'UNAUTHENTICATED',
        },
      ),
      { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/"' },
    ),
  invalidCredentials: () =>
    new DriveApiError(
      401,
      errorBody(
        401,
        { reason: 'authError', message: 'Invalid Credentials', location: 'Authorization', locationType: 'header' },
        { message: `Request had invalid authentication credentials. ${AUTH_HEADER_HELP}`, status: 'UNAUTHENTICATED' },
      ),
      { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
    ),
  insufficientScopes: () =>
    new DriveApiError(
      403,
      errorBody(
        403,
        { reason: 'insufficientPermissions', message: 'Insufficient Permission' },
        { message: 'Request had insufficient authentication scopes.', status: 'PERMISSION_DENIED' },
      ),
      {
        'WWW-Authenticate':
          'Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="https://www.googleapis.com/auth/drive.readonly"',
      },
    ),
};
