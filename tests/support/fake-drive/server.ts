/**
 * A fake Google Drive v3 + Google OAuth server on 127.0.0.1, for driving the real
 * `@googleapis/drive` client and google-auth-library's OAuth2Client in tests.
 *
 * Point the clients at it:
 *   const fake = await startFakeDrive(new FakeDrive());
 *   const auth = new OAuth2Client({ clientId: fake.clientId, clientSecret: fake.clientSecret,
 *                                   redirectUri, endpoints: fake.endpoints });
 *   const api = drive({ version: 'v3', rootUrl: fake.rootUrl, auth });
 *
 * Modelled, with Drive's shapes and error bodies:
 * - files.list: `q` (`'<id>' in parents` incl. 'root', `or`/`and`/`not`/parentheses, `trashed`,
 *   `mimeType`/`name` `=`/`!=`/`contains`, `modifiedTime`/`createdTime` comparisons); at most
 *   `maxParentsPerQuery` (50) parent terms; trashed items listed unless `trashed = false`, as on
 *   Drive; pageSize 1-1000 (default 100, out of range is Drive's 400), pageToken bound to its query,
 *   orderBy (folder, name, name_natural, createdTime, modifiedTime, recency, quotaBytesUsed, … +desc),
 *   fields projection validated against the v3 schema, corpora user|domain|drive|allDrives with
 *   driveId, spaces. Shared-drive items only with supportsAllDrives AND includeItemsFromAllDrives;
 *   corpora drive/allDrives without includeItemsFromAllDrives is Drive's 403.
 * - files.get: metadata (root alias, shared drive roots), alt=media with Content-Length and one-range
 *   Range requests (206/416); Docs/folders/shortcuts are 403 fileNotDownloadable; shared-drive items
 *   without supportsAllDrives are 404 `File not found: <id>.`.
 * - files.export: Docs Editors files only (403 fileNotExportable), formats the file declares (400
 *   `The requested conversion is not supported.`), 403 exportSizeLimitExceeded above
 *   `exportSizeLimitBytes` (Drive: 10 MB).
 * - drives.list/get (paged, default 10, max 100), about.get (fields required, as on Drive).
 * - changes.getStartPageToken and changes.list: numeric tokens, one entry per file (a later change
 *   supersedes an earlier one and carries the file's current state), removed entries without a file,
 *   includeRemoved, restrictToMyDrive, driveId, shared-drive changes only with both flags,
 *   nextPageToken on every page but the last, newStartPageToken on the last. A token the server did
 *   not issue, one from the future, or one older than FakeDrive.expireChangeTokens() is 400 invalid
 *   (location pageToken): Drive answers 400 for tokens it cannot use, not 404/410.
 * - Auth: every Drive call needs `Authorization: Bearer <live access token>` with a Drive scope;
 *   missing → 401 `Login Required.`, unknown/expired/revoked → 401 `Invalid Credentials`, both with
 *   `status: UNAUTHENTICATED`. OAuth: /authorize consents at once and 302s to the loopback
 *   redirect_uri with code and state (or error=access_denied when told to refuse); /token does
 *   authorization_code with PKCE (S256 or plain) and exact redirect_uri match, single-use codes,
 *   refresh tokens only for access_type=offline, refresh_token grants that keep the refresh token;
 *   /revoke revokes the whole grant; /tokeninfo.
 * - Faults (inject): 403 userRateLimitExceeded/rateLimitExceeded/dailyLimitExceeded and 429
 *   (domain usageLimits), 500/502/504 backendError, 503 UNAVAILABLE, connection resets.
 *
 * Not modelled: writes (create/update/copy/delete/upload over the API: 501), permissions and
 * sharing, `sharedWithMe`/`starred`/`in owners`/fullText queries (400), drives.list `q`, revisions,
 * appDataFolder content, resource keys, acknowledgeAbuse, Retry-After from Drive itself, gzip,
 * batch requests, push notifications (watch), ETags/304, id_token/OpenID. Drive's default listing
 * order is undocumented; the fake lists in creation order. Pages are offsets, so a listing that
 * changes between pages may repeat or skip an item, as Drive's may.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DriveApiError } from './errors.js';
import { FaultQueue, faultBody, type FaultSpec } from './faults.js';
import type { FakeDrive } from './model.js';
import { FakeOAuth, type MintedTokens, type OAuthAnswer } from './oauth.js';
import { driveApi, type DriveApiSettings } from './routes.js';

export interface FakeDriveServerOptions extends Partial<DriveApiSettings> {
  clientId?: string;
  clientSecret?: string;
  /** Lifetime of issued access tokens. Default 3599, as Google. */
  accessTokenTtlSeconds?: number;
  /** Accepted besides loopback redirect URIs. */
  redirectUris?: string[];
}

export interface RequestLogEntry {
  method: string;
  /** Pathname, e.g. '/drive/v3/files'. */
  path: string;
  /** Query parameters (the last value of a repeated one). */
  query: Record<string, string>;
  /** Set once the answer is sent; 0 for a connection reset. */
  status?: number;
  /** The injected fault that answered, if any. */
  fault?: FaultSpec['status'];
}

export interface FakeDriveServer {
  /** http://127.0.0.1:<port>/ — the `rootUrl` for drive({ version: 'v3', rootUrl, auth }). */
  rootUrl: string;
  authUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  tokenInfoUrl: string;
  /** Pass as OAuth2Client's `endpoints` option. */
  endpoints: { oauth2AuthBaseUrl: string; oauth2TokenUrl: string; oauth2RevokeUrl: string; tokenInfoUrl: string };
  clientId: string;
  clientSecret: string;
  drive: FakeDrive;
  /** Live settings: change exportSizeLimitBytes etc. between requests. */
  settings: DriveApiSettings;
  oauth: FakeOAuth;
  /** Every request, in arrival order. */
  requests: RequestLogEntry[];
  /** Requests whose path starts with this prefix (default: all Drive API calls). */
  requestsTo(prefix?: string): RequestLogEntry[];
  inject(fault: FaultSpec): void;
  pendingFaults(): number;
  clearFaults(): void;
  /** Shorthand for oauth.mint(): tokens for setCredentials without the browser round trip. */
  mintTokens(opts?: { scope?: string; offline?: boolean }): MintedTokens;
  /** Shorthand for oauth.expireAccessTokens(): the next Drive call with an old token gets 401. */
  expireAccessTokens(): void;
  stop(): Promise<void>;
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer | string): void {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...headers, 'Content-Length': String(buf.length) });
  res.end(buf);
}

/** Google pretty-prints JSON (two spaces, trailing newline) unless prettyPrint=false. */
function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(
    res,
    status,
    { 'Content-Type': 'application/json; charset=UTF-8', ...headers },
    JSON.stringify(body, null, 2) + '\n',
  );
}

function sendOAuth(res: ServerResponse, answer: OAuthAnswer): void {
  const headers = answer.headers ?? {};
  if (answer.body === undefined) send(res, answer.status, headers, '');
  else if (typeof answer.body === 'string') {
    send(res, answer.status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers }, answer.body);
  } else sendJson(res, answer.status, answer.body, headers);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeDrive(drive: FakeDrive, opts: FakeDriveServerOptions = {}): Promise<FakeDriveServer> {
  const settings: DriveApiSettings = {
    exportSizeLimitBytes: opts.exportSizeLimitBytes ?? 10 * 1024 * 1024,
    maxParentsPerQuery: opts.maxParentsPerQuery ?? 50,
  };
  if (opts.maxItemsPerPage !== undefined) settings.maxItemsPerPage = opts.maxItemsPerPage;
  const clientId = opts.clientId ?? '1234567890-fakedrive.apps.googleusercontent.com';
  const clientSecret = opts.clientSecret ?? 'GOCSPX-fake-drive-secret';
  const oauth = new FakeOAuth({
    clientId,
    clientSecret,
    accessTokenTtlSeconds: opts.accessTokenTtlSeconds ?? 3599,
    redirectUris: opts.redirectUris ?? [],
  });
  const faults = new FaultQueue();
  const requests: RequestLogEntry[] = [];
  let rootUrl = '';

  async function handle(req: IncomingMessage, res: ServerResponse, entry: RequestLogEntry): Promise<void> {
    const url = new URL(req.url ?? '/', rootUrl);
    const method = req.method ?? 'GET';
    const fault = faults.take(method, url.pathname);
    if (fault) {
      entry.fault = fault.status;
      const body = faultBody(fault);
      if (body === undefined) {
        entry.status = 0;
        req.socket.destroy();
        return;
      }
      const headers: Record<string, string> =
        fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
      sendJson(res, body.error.code, body, headers);
      return;
    }

    if (url.pathname.startsWith('/drive/v3/')) {
      try {
        oauth.checkBearer(req.headers.authorization);
        const result = driveApi({ drive, settings, rootUrl }, method, url.pathname, url.searchParams, {
          range: req.headers.range,
        });
        if (result.kind === 'json') sendJson(res, 200, result.body);
        else send(res, result.status, result.headers, result.body);
      } catch (e) {
        if (!(e instanceof DriveApiError)) throw e;
        sendJson(res, e.status, e.body, e.headers);
      }
      return;
    }

    if (url.pathname === '/authorize' && method === 'GET') return sendOAuth(res, oauth.authorize(url.searchParams));
    if (url.pathname === '/token' && method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      return sendOAuth(res, oauth.token(form, req.headers.authorization));
    }
    if (url.pathname === '/revoke' && method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      return sendOAuth(res, oauth.revoke(url.searchParams.get('token') ?? form.get('token')));
    }
    if (url.pathname === '/tokeninfo') {
      const form = new URLSearchParams(await readBody(req));
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const token = url.searchParams.get('access_token') ?? form.get('access_token') ?? bearer ?? null;
      return sendOAuth(res, oauth.tokenInfo(token));
    }
    send(res, 404, { 'Content-Type': 'text/plain; charset=utf-8' }, 'Not Found');
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const entry: RequestLogEntry = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
    };
    requests.push(entry);
    res.on('finish', () => {
      entry.status ??= res.statusCode;
    });
    handle(req, res, entry).catch((err: unknown) => {
      // A bug in the fake, not a Drive behaviour: make it loud.
      if (!res.headersSent) sendJson(res, 500, { error: { code: 500, message: `fake drive bug: ${String(err)}` } });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  rootUrl = `http://127.0.0.1:${port}/`;
  const authUrl = `${rootUrl}authorize`;
  const tokenUrl = `${rootUrl}token`;
  const revokeUrl = `${rootUrl}revoke`;
  const tokenInfoUrl = `${rootUrl}tokeninfo`;

  return {
    rootUrl,
    authUrl,
    tokenUrl,
    revokeUrl,
    tokenInfoUrl,
    endpoints: { oauth2AuthBaseUrl: authUrl, oauth2TokenUrl: tokenUrl, oauth2RevokeUrl: revokeUrl, tokenInfoUrl },
    clientId,
    clientSecret,
    drive,
    settings,
    oauth,
    requests,
    requestsTo: (prefix = '/drive/v3/') => requests.filter((r) => r.path.startsWith(prefix)),
    inject: (fault) => faults.add(fault),
    pendingFaults: () => faults.pending(),
    clearFaults: () => faults.clear(),
    mintTokens: (o) => oauth.mint(o),
    expireAccessTokens: () => oauth.expireAccessTokens(),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets from the clients would hold close() open.
        server.closeAllConnections();
      }),
  };
}
