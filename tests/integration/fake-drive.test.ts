import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { drive, type drive_v3 } from '@googleapis/drive';
import { CodeChallengeMethod, gaxios, OAuth2Client, type Credentials } from 'google-auth-library';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FakeDrive,
  FOLDER_MIME,
  GOOGLE_MIME,
  SHORTCUT_MIME,
  startFakeDrive,
  type FakeDriveOptions,
  type FakeDriveServer,
  type FakeDriveServerOptions,
} from '../support/fake-drive/index.js';

/**
 * The fake Drive driven by the real clients: @googleapis/drive for the API, google-auth-library's
 * OAuth2Client for sign-in and refresh. Raw fetch only plays the browser on the consent screen.
 */

const SCOPE = 'https://www.googleapis.com/auth/drive.readonly';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

const running: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

async function fakeDrive(
  opts: FakeDriveServerOptions = {},
  model: FakeDriveOptions = {},
): Promise<{ fake: FakeDriveServer; model: FakeDrive }> {
  const m = new FakeDrive(model);
  const fake = await startFakeDrive(m, opts);
  running.push(fake);
  return { fake, model: m };
}

function oauthClient(fake: FakeDriveServer, extra: { redirectUri?: string; forceRefreshOnFailure?: boolean } = {}) {
  return new OAuth2Client({
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    endpoints: fake.endpoints,
    ...extra,
  });
}

/** A drive client signed in with freshly minted tokens (no browser round trip). */
function signedIn(
  fake: FakeDriveServer,
  opts: { credentials?: Credentials; forceRefreshOnFailure?: boolean } = {},
): { api: drive_v3.Drive; auth: OAuth2Client } {
  const auth = oauthClient(fake, opts.forceRefreshOnFailure ? { forceRefreshOnFailure: true } : {});
  auth.setCredentials(opts.credentials ?? fake.mintTokens());
  return { api: drive({ version: 'v3', rootUrl: fake.rootUrl, auth }), auth };
}

/** The loopback server a desktop app listens on for the OAuth redirect. */
async function startLoopback(): Promise<{ redirectUri: string; received: Promise<URLSearchParams> }> {
  let deliver!: (p: URLSearchParams) => void;
  const received = new Promise<URLSearchParams>((resolve) => (deliver = resolve));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/oauth2callback') {
      res.writeHead(404).end();
      return;
    }
    deliver(url.searchParams);
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('Signed in. You can close this window.');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  running.push({
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
  return { redirectUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2callback`, received };
}

/** Plays the browser: opens the consent URL and follows the redirect into the loopback server. */
async function consent(url: string, received: Promise<URLSearchParams>): Promise<URLSearchParams> {
  const page = await fetch(url);
  expect(page.status).toBe(200);
  expect(await page.text()).toBe('Signed in. You can close this window.');
  return received;
}

type GaxiosError = gaxios.GaxiosError;
interface ErrorCause {
  message: string;
  code: number;
  status: string;
  errors?: Array<Record<string, string>>;
}

async function rejection(promise: Promise<unknown>): Promise<GaxiosError> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(outcome instanceof gaxios.GaxiosError)) throw new Error(`expected a GaxiosError, got ${String(outcome)}`);
  return outcome;
}

const cause = (err: GaxiosError) => err.cause as ErrorCause;

/**
 * Drive's errors[] from the response body. Media calls need this: with responseType arraybuffer
 * gaxios parses the body only after building the error, so err.cause has no errors[] and the
 * message is generic.
 */
function bodyErrors(err: GaxiosError): unknown {
  return (err.response?.data as { error: { errors: unknown } }).error.errors;
}

/**
 * A response header. gaxios 8 fetches with node-fetch, whose Headers is not the global class, so
 * googleapis-common leaves res.headers a Headers object although its type says plain record.
 */
function header(res: { headers: unknown }, name: string): string | null | undefined {
  const h = res.headers as { get?: (n: string) => string | null } & Record<string, string>;
  return typeof h.get === 'function' ? h.get(name) : h[name];
}

/** Drive's error shape for `location` refusing a parameter value. */
const invalidParam = (location: string, message = 'Invalid Value') => ({
  message,
  domain: 'global',
  reason: 'invalid',
  location,
  locationType: 'parameter',
});

const trail = (fake: FakeDriveServer, from: number) =>
  fake.requests.slice(from).map((r) => `${r.method} ${r.path} ${r.status ?? '-'}`);

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('fake Drive: OAuth sign-in and tokens', () => {
  it('signs in through the loopback redirect with PKCE (S256) and calls Drive as that user', async () => {
    const { fake } = await fakeDrive({}, { user: { emailAddress: 'ada@example.com', displayName: 'Ada' } });
    const loopback = await startLoopback();
    const client = oauthClient(fake, { redirectUri: loopback.redirectUri });
    const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
    const state = randomBytes(16).toString('hex');
    const url = client.generateAuthUrl({
      access_type: 'offline',
      prompt: 'consent',
      scope: [SCOPE],
      state,
      code_challenge_method: CodeChallengeMethod.S256,
      code_challenge: codeChallenge,
    });
    expect(url.startsWith(`${fake.authUrl}?`)).toBe(true);

    const params = await consent(url, loopback.received);
    const code = params.get('code')!;
    expect(Object.fromEntries(params)).toEqual({ state, code, scope: SCOPE });
    expect(code).toMatch(/^4\/0A/);
    expect(fake.oauth.authorizations).toEqual([
      {
        clientId: fake.clientId,
        redirectUri: loopback.redirectUri,
        scope: SCOPE,
        state,
        codeChallenge,
        codeChallengeMethod: 'S256',
        accessType: 'offline',
        prompt: 'consent',
        code,
      },
    ]);

    const before = Date.now();
    const { tokens } = await client.getToken({ code, codeVerifier });
    const after = Date.now();
    expect(tokens).toEqual({
      access_token: expect.stringMatching(/^ya29\./),
      refresh_token: expect.stringMatching(/^1\/\/0/),
      scope: SCOPE,
      token_type: 'Bearer',
      expiry_date: expect.any(Number),
    });
    expect(tokens.expiry_date).toBeGreaterThanOrEqual(before + 3599_000);
    expect(tokens.expiry_date).toBeLessThanOrEqual(after + 3599_000);

    client.setCredentials(tokens);
    const api = drive({ version: 'v3', rootUrl: fake.rootUrl, auth: client });
    const about = await api.about.get({ fields: 'user(emailAddress,displayName)' });
    expect(about.data).toEqual({ user: { emailAddress: 'ada@example.com', displayName: 'Ada' } });
    expect(trail(fake, 0)).toEqual(['GET /authorize 302', 'POST /token 200', 'GET /drive/v3/about 200']);
    expect(fake.requests[2]!.query).toEqual({ fields: 'user(emailAddress,displayName)' });
  });

  it('refuses a missing or wrong code_verifier, a reused code and another redirect_uri', async () => {
    const { fake } = await fakeDrive();
    const loopback = await startLoopback();
    const client = oauthClient(fake, { redirectUri: loopback.redirectUri });
    const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
    const url = client.generateAuthUrl({
      access_type: 'offline',
      scope: SCOPE,
      code_challenge_method: CodeChallengeMethod.S256,
      code_challenge: codeChallenge,
    });
    const code = (await consent(url, loopback.received)).get('code')!;

    const missing = await rejection(client.getToken({ code }));
    expect(missing.status).toBe(400);
    expect(missing.message).toBe('invalid_grant');
    expect(missing.response?.data).toEqual({ error: 'invalid_grant', error_description: 'Missing code verifier.' });

    const other = await client.generateCodeVerifierAsync();
    const wrong = await rejection(client.getToken({ code, codeVerifier: other.codeVerifier }));
    expect(wrong.response?.data).toEqual({ error: 'invalid_grant', error_description: 'Invalid code verifier.' });

    const elsewhere = await rejection(
      client.getToken({ code, codeVerifier, redirect_uri: 'http://127.0.0.1:1/oauth2callback' }),
    );
    expect(elsewhere.response?.data).toEqual({ error: 'redirect_uri_mismatch', error_description: 'Bad Request' });

    await client.getToken({ code, codeVerifier });
    const reused = await rejection(client.getToken({ code, codeVerifier }));
    expect(reused.response?.data).toEqual({ error: 'invalid_grant', error_description: 'Bad Request' });
    expect(fake.oauth.counters.codeExchanges).toBe(1);
  });

  it('redirects with error=access_denied when the user refuses consent, and a wrong client secret is 401', async () => {
    const { fake } = await fakeDrive();
    const loopback = await startLoopback();
    const client = oauthClient(fake, { redirectUri: loopback.redirectUri });
    fake.oauth.nextConsent = 'deny';
    const params = await consent(client.generateAuthUrl({ scope: SCOPE, state: 's1' }), loopback.received);
    expect(Object.fromEntries(params)).toEqual({ state: 's1', error: 'access_denied' });

    const impostor = new OAuth2Client({
      clientId: fake.clientId,
      clientSecret: 'not-the-secret',
      endpoints: fake.endpoints,
    });
    impostor.setCredentials({ refresh_token: fake.mintTokens().refresh_token! });
    const err = await rejection(impostor.refreshAccessToken());
    expect(err.status).toBe(401);
    expect(err.response?.data).toEqual({ error: 'invalid_client', error_description: 'Unauthorized' });
  });

  it('after a forced expiry, files.list gets 401, the client refreshes and the retry succeeds (forceRefreshOnFailure)', async () => {
    const { fake, model } = await fakeDrive();
    model.addFolder('Docs');
    const credentials = fake.mintTokens();
    const { api, auth } = signedIn(fake, { credentials, forceRefreshOnFailure: true });
    const refreshed: Credentials[] = [];
    auth.on('tokens', (t) => refreshed.push(t));

    fake.expireAccessTokens();
    const from = fake.requests.length;
    const res = await api.files.list({ q: "'root' in parents", fields: 'files(name)' });
    expect(res.data).toEqual({ files: [{ name: 'Docs' }] });
    expect(trail(fake, from)).toEqual(['GET /drive/v3/files 401', 'POST /token 200', 'GET /drive/v3/files 200']);
    expect(refreshed).toHaveLength(1);
    expect(auth.credentials.access_token).toBe(refreshed[0]!.access_token);
    expect(auth.credentials.access_token).not.toBe(credentials.access_token);
    expect(auth.credentials.refresh_token).toBe(credentials.refresh_token);
    expect(fake.oauth.counters.refreshes).toBe(1);
  });

  it('without forceRefreshOnFailure a server-side expiry surfaces as 401; a passed expiry_date refreshes first', async () => {
    const { fake } = await fakeDrive();
    const credentials = fake.mintTokens();
    const { api, auth } = signedIn(fake, { credentials });
    fake.expireAccessTokens();
    const from = fake.requests.length;
    const err = await rejection(api.files.list({}));
    expect(err.status).toBe(401);
    expect(err.code).toBe(401);
    expect(err.message).toBe(
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    );
    expect(cause(err).status).toBe('UNAUTHENTICATED');
    expect(cause(err).errors).toEqual([
      {
        message: 'Invalid Credentials',
        domain: 'global',
        reason: 'authError',
        location: 'Authorization',
        locationType: 'header',
      },
    ]);
    expect(err.response?.headers.get('www-authenticate')).toBe(
      'Bearer realm="https://accounts.google.com/", error="invalid_token"',
    );
    expect(trail(fake, from)).toEqual(['GET /drive/v3/files 401']);

    // The client refreshes on its own only when it believes the token has (nearly) expired.
    auth.setCredentials({ ...credentials, expiry_date: Date.now() - 1000 });
    const again = fake.requests.length;
    await api.files.list({});
    expect(trail(fake, again)).toEqual(['POST /token 200', 'GET /drive/v3/files 200']);
  });

  it('a call without any token is 401 Login Required, and a token without a Drive scope is 403', async () => {
    const { fake } = await fakeDrive();
    const anonymous = drive({ version: 'v3', rootUrl: fake.rootUrl });
    const err = await rejection(anonymous.files.list({}));
    expect(err.status).toBe(401);
    expect(cause(err).errors).toEqual([
      {
        message: 'Login Required.',
        domain: 'global',
        reason: 'required',
        location: 'Authorization',
        locationType: 'header',
      },
    ]);

    const { api } = signedIn(fake, { credentials: fake.mintTokens({ scope: 'openid email' }) });
    const scoped = await rejection(api.files.list({}));
    expect(scoped.status).toBe(403);
    expect(scoped.message).toBe('Request had insufficient authentication scopes.');
    expect(cause(scoped).errors![0]!.reason).toBe('insufficientPermissions');
  });

  it('revoking ends the whole grant: the access token is refused and so is the refresh token', async () => {
    const { fake } = await fakeDrive();
    const credentials = fake.mintTokens();
    const { auth } = signedIn(fake, { credentials });
    const revoked = await auth.revokeCredentials();
    expect(revoked.status).toBe(200);
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/revoke',
      query: { token: credentials.access_token },
    });

    const { api, auth: stale } = signedIn(fake, { credentials });
    expect((await rejection(api.files.list({}))).status).toBe(401);
    const refresh = await rejection(stale.refreshAccessToken());
    expect(refresh.response?.data).toEqual({
      error: 'invalid_grant',
      error_description: 'Token has been expired or revoked.',
    });
  });
});

describe('fake Drive: listing', () => {
  it('walks a tree breadth-first with grouped parent queries (at most 50 per q), following pages', async () => {
    const { fake, model } = await fakeDrive();
    const expected = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const name = `dir-${String(i).padStart(2, '0')}`;
      const dir = model.addFolder(name);
      expected.add(name);
      for (const f of ['b.txt', 'a.txt']) {
        model.addFile(f, `${name}/${f}`, dir.id);
        expected.add(`${name}/${f}`);
      }
      if (i < 3) {
        const sub = model.addFolder('sub', dir.id);
        model.addFile('c.txt', 'deep', sub.id);
        expected.add(`${name}/sub`).add(`${name}/sub/c.txt`);
      }
    }
    const gone = model.addFile('old.txt', 'x');
    model.trash(gone.id);

    const { api } = signedIn(fake);
    const pathOf = new Map<string, string>([[model.rootId, '']]);
    const seen: string[] = [];
    let level = ['root'];
    while (level.length > 0) {
      const next: string[] = [];
      for (let i = 0; i < level.length; i += 50) {
        const group = level.slice(i, i + 50);
        const q = `(${group.map((id) => `'${id}' in parents`).join(' or ')}) and trashed = false`;
        let pageToken: string | undefined;
        do {
          const res = await api.files.list({
            q,
            pageSize: 100,
            pageToken,
            orderBy: 'folder,name',
            fields: 'nextPageToken, files(id, name, mimeType, parents)',
          });
          for (const f of res.data.files ?? []) {
            const parentPath = pathOf.get(f.parents![0]!)!;
            const path = parentPath === '' ? f.name! : `${parentPath}/${f.name}`;
            pathOf.set(f.id!, path);
            seen.push(path);
            if (f.mimeType === FOLDER_MIME) next.push(f.id!);
          }
          pageToken = res.data.nextPageToken ?? undefined;
        } while (pageToken);
      }
      level = next;
    }
    expect(seen.sort()).toEqual([...expected].sort());

    const lists = fake.requestsTo('/drive/v3/files');
    expect(lists.map((r) => (r.query.q!.match(/ in parents/g) ?? []).length)).toEqual([1, 50, 50, 10, 3]);
    expect(lists.map((r) => r.query.pageToken === undefined)).toEqual([true, true, false, true, true]);
    expect(lists.every((r) => r.status === 200)).toBe(true);
  });

  it('orders folder-first by name and pages with nextPageToken, also when pages come back short', async () => {
    const { fake, model } = await fakeDrive({ maxItemsPerPage: 3 });
    for (const n of ['b.txt', 'A.txt', 'c.txt']) model.addFile(n, n);
    for (const n of ['Zeta', 'alpha']) model.addFolder(n);
    const { api } = signedIn(fake);
    const names: string[][] = [];
    let pageToken: string | undefined;
    do {
      const res = await api.files.list({
        pageSize: 10,
        pageToken,
        orderBy: 'folder,name',
        fields: 'nextPageToken,files(name)',
      });
      names.push((res.data.files ?? []).map((f) => f.name!));
      pageToken = res.data.nextPageToken ?? undefined;
    } while (pageToken);
    expect(names).toEqual([
      ['alpha', 'Zeta', 'A.txt'],
      ['b.txt', 'c.txt'],
    ]);

    const desc = await api.files.list({
      orderBy: 'name desc',
      q: `mimeType != '${FOLDER_MIME}'`,
      fields: 'files(name)',
    });
    expect(desc.data.files!.map((f) => f.name)).toEqual(['c.txt', 'b.txt', 'A.txt']);
  });

  it("refuses 51 parents, a pageSize over 1000, an unmodelled term and another query's page token", async () => {
    const { fake, model } = await fakeDrive();
    for (let i = 0; i < 3; i++) model.addFile(`f${i}`, 'x');
    const { api } = signedIn(fake);
    const ids = Array.from({ length: 51 }, (_, i) => `'id${i}' in parents`).join(' or ');

    const tooMany = await rejection(api.files.list({ q: ids }));
    expect(tooMany.status).toBe(400);
    expect(tooMany.message).toBe('Invalid Value');
    expect(cause(tooMany).errors).toEqual([invalidParam('q')]);

    const big = await rejection(api.files.list({ pageSize: 1001 }));
    expect(cause(big).errors).toEqual([
      invalidParam('pageSize', "Invalid value '1001'. Values must be within the range: [1, 1000]"),
    ]);

    const fullText = await rejection(api.files.list({ q: "fullText contains 'x'" }));
    expect(cause(fullText).errors).toEqual([invalidParam('q')]);

    const first = await api.files.list({ pageSize: 1, q: 'trashed = false' });
    expect(first.data.nextPageToken).toEqual(expect.any(String));
    const crossed = await rejection(api.files.list({ pageSize: 1, pageToken: first.data.nextPageToken! }));
    expect(cause(crossed).errors).toEqual([invalidParam('pageToken')]);
  });

  it('lists trashed items unless q says trashed = false; children of a trashed folder are trashed implicitly', async () => {
    const { fake, model } = await fakeDrive();
    const dir = model.addFolder('Old');
    const inside = model.addFile('inside.txt', 'i', dir.id);
    model.addFile('keep.txt', 'k');
    model.trash(dir.id);
    const { api } = signedIn(fake);

    const all = await api.files.list({ fields: 'files(name,trashed,explicitlyTrashed)' });
    expect(all.data.files).toEqual([
      { name: 'Old', trashed: true, explicitlyTrashed: true },
      { name: 'inside.txt', trashed: true, explicitlyTrashed: false },
      { name: 'keep.txt', trashed: false, explicitlyTrashed: false },
    ]);
    const live = await api.files.list({ q: 'trashed = false', fields: 'files(name)' });
    expect(live.data.files).toEqual([{ name: 'keep.txt' }]);
    const inTrash = await api.files.list({ q: `'${dir.id}' in parents and trashed = true`, fields: 'files(id)' });
    expect(inTrash.data.files).toEqual([{ id: inside.id }]);
  });

  it('returns exactly the fields asked for: nextPageToken only when selected, the default projection otherwise', async () => {
    const { fake, model } = await fakeDrive();
    const file = model.addFile('photo.jpg', randomBytes(1000), 'root', { mimeType: 'image/jpeg' });
    const dir = model.addFolder('Pictures');
    const { api } = signedIn(fake);

    const picked = await api.files.list({ pageSize: 1, fields: 'files(id,name,md5Checksum,size)' });
    expect(picked.data).toEqual({
      files: [{ id: file.id, name: 'photo.jpg', md5Checksum: md5(file.content!), size: '1000' }],
    });

    const withToken = await api.files.list({ pageSize: 1, fields: 'nextPageToken,files/id' });
    expect(Object.keys(withToken.data).sort()).toEqual(['files', 'nextPageToken']);
    expect(withToken.data.files).toEqual([{ id: file.id }]);

    const defaults = await api.files.list({});
    expect(defaults.data).toEqual({
      kind: 'drive#fileList',
      incompleteSearch: false,
      files: [
        { kind: 'drive#file', id: file.id, name: 'photo.jpg', mimeType: 'image/jpeg' },
        { kind: 'drive#file', id: dir.id, name: 'Pictures', mimeType: FOLDER_MIME },
      ],
    });

    // A folder has no size or checksum: Drive leaves the fields out rather than sending null.
    const folder = await api.files.get({ fileId: dir.id, fields: 'id,size,md5Checksum,parents,version' });
    expect(folder.data).toEqual({ id: dir.id, parents: [model.rootId], version: '1' });
    const root = await api.files.get({ fileId: 'root', fields: 'id,name,mimeType' });
    expect(root.data).toEqual({ id: model.rootId, name: 'My Drive', mimeType: FOLDER_MIME });

    const bad = await rejection(api.files.list({ fields: 'files(id,colour)' }));
    expect(bad.status).toBe(400);
    expect(cause(bad).errors).toEqual([
      {
        message: 'Invalid field selection files/colour',
        domain: 'global',
        reason: 'invalidParameter',
        location: 'fields',
        locationType: 'parameter',
      },
    ]);
  });

  it('shared drives: drives.list pages; their items need supportsAllDrives and includeItemsFromAllDrives', async () => {
    const { fake, model } = await fakeDrive();
    model.addFile('mine.txt', 'm');
    const team = model.addSharedDrive('Team');
    const ops = model.addSharedDrive('Ops');
    const plans = model.addFolder('Plans', team.id);
    const plan = model.addFile('plan.md', '# plan', plans.id);
    model.addFile('runbook.md', 'run', ops.id);
    const { api } = signedIn(fake);

    const first = await api.drives.list({ pageSize: 1 });
    expect(first.data).toEqual({
      kind: 'drive#driveList',
      nextPageToken: expect.any(String),
      drives: [{ kind: 'drive#drive', id: team.id, name: 'Team' }],
    });
    const second = await api.drives.list({ pageSize: 1, pageToken: first.data.nextPageToken! });
    expect(second.data).toEqual({
      kind: 'drive#driveList',
      drives: [{ kind: 'drive#drive', id: ops.id, name: 'Ops' }],
    });

    const names = async (params: drive_v3.Params$Resource$Files$List) =>
      ((await api.files.list({ ...params, fields: 'files(name,driveId)' })).data.files ?? []).map(
        (f) => `${f.driveId === team.id ? 'Team:' : f.driveId === ops.id ? 'Ops:' : ''}${f.name}`,
      );
    const flags = { supportsAllDrives: true, includeItemsFromAllDrives: true };
    expect(await names({})).toEqual(['mine.txt']);
    expect(await names({ corpora: 'drive', driveId: team.id, ...flags })).toEqual(['Team:Plans', 'Team:plan.md']);
    expect(await names({ corpora: 'allDrives', ...flags })).toEqual([
      'mine.txt',
      'Team:Plans',
      'Team:plan.md',
      'Ops:runbook.md',
    ]);
    expect(await names({ q: `'${plans.id}' in parents` })).toEqual([]);
    expect(await names({ q: `'${plans.id}' in parents`, ...flags })).toEqual(['Team:plan.md']);
    expect(await names({ corpora: 'drive', driveId: team.id, includeItemsFromAllDrives: true })).toEqual([]);

    const noFlag = await rejection(api.files.list({ corpora: 'drive', driveId: team.id, supportsAllDrives: true }));
    expect(noFlag.status).toBe(403);
    expect(cause(noFlag).errors).toEqual([
      {
        message: 'The includeItemsFromAllDrives parameter must be set to true when corpora is set to drive.',
        domain: 'global',
        reason: 'teamDriveIncludeItemsRequired',
        location: 'includeItemsFromAllDrives',
        locationType: 'parameter',
      },
    ]);
    const noDrive = await rejection(api.files.list({ corpora: 'drive', ...flags }));
    expect(noDrive.message).toBe('The driveId parameter must be specified if and only if corpora is set to drive.');

    const hidden = await rejection(api.files.get({ fileId: plan.id }));
    expect(hidden.status).toBe(404);
    expect(hidden.response?.data).toEqual({
      error: {
        code: 404,
        message: `File not found: ${plan.id}.`,
        errors: [
          {
            message: `File not found: ${plan.id}.`,
            domain: 'global',
            reason: 'notFound',
            location: 'fileId',
            locationType: 'parameter',
          },
        ],
      },
    });
    const shown = await api.files.get({ fileId: plan.id, supportsAllDrives: true, fields: 'name,driveId,parents' });
    expect(shown.data).toEqual({ name: 'plan.md', driveId: team.id, parents: [plans.id] });
    const driveRoot = await api.files.get({
      fileId: team.id,
      supportsAllDrives: true,
      fields: 'name,mimeType,driveId',
    });
    expect(driveRoot.data).toEqual({ name: 'Team', mimeType: FOLDER_MIME, driveId: team.id });
  });

  it('describes shortcuts with shortcutDetails and finds them by mimeType', async () => {
    const { fake, model } = await fakeDrive();
    const target = model.addDoc('Budget', { 'text/csv': 'a,b\n' }, 'root', { mimeType: GOOGLE_MIME.spreadsheet });
    const dir = model.addFolder('Links');
    const link = model.addShortcut('Budget (link)', target.id, dir.id);
    const { api } = signedIn(fake);

    const found = await api.files.list({
      q: `mimeType = '${SHORTCUT_MIME}' and trashed = false`,
      fields: 'files(id,name,mimeType,shortcutDetails,size)',
    });
    expect(found.data.files).toEqual([
      {
        id: link.id,
        name: 'Budget (link)',
        mimeType: SHORTCUT_MIME,
        shortcutDetails: { targetId: target.id, targetMimeType: GOOGLE_MIME.spreadsheet },
      },
    ]);
    const one = await api.files.get({ fileId: link.id, fields: 'shortcutDetails/targetId' });
    expect(one.data).toEqual({ shortcutDetails: { targetId: target.id } });
  });

  it('about.get requires fields, as Drive does', async () => {
    const { fake } = await fakeDrive();
    const { api } = signedIn(fake);
    const err = await rejection(api.about.get({}));
    expect(err.status).toBe(400);
    expect(cause(err).errors).toEqual([
      {
        message: "The 'fields' parameter is required for this method.",
        domain: 'global',
        reason: 'required',
        location: 'fields',
        locationType: 'parameter',
      },
    ]);
    const about = await api.about.get({ fields: 'user' });
    expect(about.data).toEqual({
      user: {
        kind: 'drive#user',
        displayName: 'Backup User',
        me: true,
        permissionId: '01234567890123456789',
        emailAddress: 'backup.user@example.com',
      },
    });
  });
});

describe('fake Drive: content', () => {
  it('alt=media downloads byte-equal with a Content-Length, as arraybuffer or stream, and honours Range', async () => {
    const { fake, model } = await fakeDrive();
    const bytes = randomBytes(300 * 1024 + 7);
    const file = model.addFile('blob.bin', bytes);
    const { api } = signedIn(fake);

    const meta = await api.files.get({ fileId: file.id, fields: 'size,md5Checksum,sha256Checksum' });
    expect(meta.data).toEqual({
      size: String(bytes.length),
      md5Checksum: md5(bytes),
      sha256Checksum: createHash('sha256').update(bytes).digest('hex'),
    });

    const whole = await api.files.get({ fileId: file.id, alt: 'media' }, { responseType: 'arraybuffer' });
    expect(whole.status).toBe(200);
    expect(header(whole, 'content-length')).toBe(String(bytes.length));
    expect(header(whole, 'content-type')).toBe('application/octet-stream');
    expect(Buffer.from(whole.data as unknown as ArrayBuffer).equals(bytes)).toBe(true);

    const streamed = await api.files.get({ fileId: file.id, alt: 'media' }, { responseType: 'stream' });
    expect((await readAll(streamed.data as unknown as Readable)).equals(bytes)).toBe(true);

    const part = await api.files.get(
      { fileId: file.id, alt: 'media' },
      { responseType: 'arraybuffer', headers: { Range: 'bytes=100-199' } },
    );
    expect(part.status).toBe(206);
    expect(header(part, 'content-range')).toBe(`bytes 100-199/${bytes.length}`);
    expect(Buffer.from(part.data as unknown as ArrayBuffer).equals(bytes.subarray(100, 200))).toBe(true);
  });

  it('a Doc cannot be downloaded with alt=media; where the reason surfaces depends on responseType', async () => {
    const { fake, model } = await fakeDrive();
    const doc = model.addDoc('Notes', { 'text/plain': 'hi' });
    const { api } = signedIn(fake);
    const message = 'Only files with binary content can be downloaded. Use Export with Docs Editors files.';
    const expected = [
      { message, domain: 'global', reason: 'fileNotDownloadable', location: 'alt', locationType: 'parameter' },
    ];

    const plain = await rejection(api.files.get({ fileId: doc.id, alt: 'media' }));
    expect(plain.status).toBe(403);
    expect(plain.message).toBe(message);
    expect(cause(plain).errors).toEqual(expected);

    // arraybuffer: the error is built before the body is parsed, so the message is generic.
    const buffered = await rejection(api.files.get({ fileId: doc.id, alt: 'media' }, { responseType: 'arraybuffer' }));
    expect(buffered.status).toBe(403);
    expect(buffered.message).toBe('Request failed with status code 403');
    expect(cause(buffered).errors).toBeUndefined();
    expect(bodyErrors(buffered)).toEqual(expected);

    // stream: gaxios drains the body into a string and never parses it; response.data is left
    // undefined, so the JSON text in err.message is the only place the reason survives.
    const streamed = await rejection(api.files.get({ fileId: doc.id, alt: 'media' }, { responseType: 'stream' }));
    expect(streamed.status).toBe(403);
    expect(streamed.response?.data).toBeUndefined();
    expect(cause(streamed).errors).toBeUndefined();
    expect(JSON.parse(streamed.message)).toEqual({ error: { code: 403, message, errors: expected } });
  });

  it('exports a Doc as docx; refuses unknown formats, binary files and exports over the size limit', async () => {
    const { fake, model } = await fakeDrive({ exportSizeLimitBytes: 1024 });
    const docx = randomBytes(700);
    const report = model.addDoc('Report', { [DOCX]: docx, 'application/pdf': randomBytes(2048) });
    const binary = model.addFile('data.csv', 'a,b', 'root', { mimeType: 'text/csv' });
    const { api } = signedIn(fake);

    const meta = await api.files.get({ fileId: report.id, fields: 'mimeType,size,md5Checksum,exportLinks' });
    expect(meta.data).toEqual({
      mimeType: GOOGLE_MIME.document,
      exportLinks: {
        [DOCX]: `${fake.rootUrl}drive/v3/files/${report.id}/export?mimeType=${encodeURIComponent(DOCX)}`,
        'application/pdf': `${fake.rootUrl}drive/v3/files/${report.id}/export?mimeType=application%2Fpdf`,
      },
    });

    const exported = await api.files.export({ fileId: report.id, mimeType: DOCX }, { responseType: 'arraybuffer' });
    expect(header(exported, 'content-type')).toBe(DOCX);
    expect(Buffer.from(exported.data as unknown as ArrayBuffer).equals(docx)).toBe(true);

    const tooBig = await rejection(
      api.files.export({ fileId: report.id, mimeType: 'application/pdf' }, { responseType: 'arraybuffer' }),
    );
    expect(tooBig.status).toBe(403);
    expect(bodyErrors(tooBig)).toEqual([
      { message: 'This file is too large to be exported.', domain: 'global', reason: 'exportSizeLimitExceeded' },
    ]);
    fake.settings.exportSizeLimitBytes = 10 * 1024 * 1024;
    const pdf = await api.files.export(
      { fileId: report.id, mimeType: 'application/pdf' },
      { responseType: 'arraybuffer' },
    );
    expect((pdf.data as unknown as ArrayBuffer).byteLength).toBe(2048);

    const csv = await rejection(
      api.files.export({ fileId: report.id, mimeType: 'text/csv' }, { responseType: 'arraybuffer' }),
    );
    expect(csv.status).toBe(400);
    expect(bodyErrors(csv)).toEqual([
      {
        message: 'The requested conversion is not supported.',
        domain: 'global',
        reason: 'badRequest',
        location: 'convertTo',
        locationType: 'parameter',
      },
    ]);
    const notDoc = await rejection(
      api.files.export({ fileId: binary.id, mimeType: 'text/csv' }, { responseType: 'arraybuffer' }),
    );
    expect(notDoc.status).toBe(403);
    expect(bodyErrors(notDoc)).toEqual([
      {
        message: 'Export only supports Docs Editors files.',
        domain: 'global',
        reason: 'fileNotExportable',
      },
    ]);
  });
});

describe('fake Drive: changes', () => {
  it('reports adds, edits, moves, renames, trashing and deletions since a token, one entry per file, paged', async () => {
    const { fake, model } = await fakeDrive();
    const a = model.addFolder('A');
    const b = model.addFolder('B');
    const f1 = model.addFile('one.txt', 'v1', a.id);
    const f2 = model.addFile('two.txt', 'two', a.id);
    const f4 = model.addFile('four.txt', 'four');
    const f5 = model.addFile('five.txt', 'five');
    const f6 = model.addFile('six.txt', 'six');
    const { api } = signedIn(fake);
    const start = (await api.changes.getStartPageToken({})).data;
    expect(start).toEqual({ kind: 'drive#startPageToken', startPageToken: model.startPageToken() });

    const f3 = model.addFile('three.txt', 'new', b.id);
    model.modify(f1.id, 'v2');
    model.move(f2.id, b.id);
    model.rename(f4.id, 'FOUR.txt');
    model.trash(f5.id);
    model.remove(f6.id);
    model.modify(f1.id, 'v3');

    const fields =
      'nextPageToken,newStartPageToken,changes(changeType,fileId,removed,file(name,parents,trashed,md5Checksum,version))';
    const pages: drive_v3.Schema$ChangeList[] = [];
    let pageToken = start.startPageToken!;
    for (;;) {
      const res = await api.changes.list({ pageToken, pageSize: 2, fields });
      pages.push(res.data);
      if (!res.data.nextPageToken) break;
      pageToken = res.data.nextPageToken;
    }
    expect(pages.map((p) => Object.keys(p).sort())).toEqual([
      ['changes', 'nextPageToken'],
      ['changes', 'nextPageToken'],
      ['changes', 'newStartPageToken'],
    ]);
    const file = (name: string, parent: string, version: string, content: string, trashed = false) => ({
      name,
      parents: [parent],
      trashed,
      md5Checksum: md5(Buffer.from(content)),
      version,
    });
    expect(pages.flatMap((p) => p.changes)).toEqual([
      { changeType: 'file', fileId: f3.id, removed: false, file: file('three.txt', b.id, '1', 'new') },
      { changeType: 'file', fileId: f2.id, removed: false, file: file('two.txt', b.id, '2', 'two') },
      { changeType: 'file', fileId: f4.id, removed: false, file: file('FOUR.txt', model.rootId, '2', 'four') },
      { changeType: 'file', fileId: f5.id, removed: false, file: file('five.txt', model.rootId, '2', 'five', true) },
      { changeType: 'file', fileId: f6.id, removed: true },
      { changeType: 'file', fileId: f1.id, removed: false, file: file('one.txt', a.id, '3', 'v3') },
    ]);

    const last = pages.at(-1)!.newStartPageToken!;
    expect(last).toBe(model.startPageToken());
    const quiet = await api.changes.list({ pageToken: last });
    expect(quiet.data).toEqual({ kind: 'drive#changeList', newStartPageToken: last, changes: [] });

    const kept = await api.changes.list({
      pageToken: start.startPageToken!,
      includeRemoved: false,
      fields: 'changes(fileId)',
    });
    expect(kept.data.changes!.map((c) => c.fileId)).toEqual([f3.id, f2.id, f4.id, f5.id, f1.id]);

    const defaults = await api.changes.list({ pageToken: start.startPageToken!, pageSize: 1 });
    expect(defaults.data).toEqual({
      kind: 'drive#changeList',
      nextPageToken: expect.stringMatching(/^\d+$/),
      changes: [
        {
          kind: 'drive#change',
          changeType: 'file',
          time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
          removed: false,
          fileId: f3.id,
          file: { kind: 'drive#file', id: f3.id, name: 'three.txt', mimeType: 'application/octet-stream' },
        },
      ],
    });
  });

  it('shared-drive changes need both flags; restrictToMyDrive and driveId scope them', async () => {
    const { fake, model } = await fakeDrive();
    const { api } = signedIn(fake);
    const token = (await api.changes.getStartPageToken({})).data.startPageToken!;
    const team = model.addSharedDrive('Team');
    const shared = model.addFile('shared.txt', 's', team.id);
    const mine = model.addFile('mine.txt', 'm');

    const list = async (params: Omit<drive_v3.Params$Resource$Changes$List, 'pageToken'>) =>
      (
        (await api.changes.list({ pageToken: token, fields: 'changes(changeType,fileId,driveId)', ...params })).data
          .changes ?? []
      ).map((c) => (c.changeType === 'drive' ? `drive:${c.driveId}` : `file:${c.fileId}`));
    const flags = { supportsAllDrives: true, includeItemsFromAllDrives: true };
    expect(await list({})).toEqual([`file:${mine.id}`]);
    expect(await list({ supportsAllDrives: true })).toEqual([`file:${mine.id}`]);
    expect(await list(flags)).toEqual([`drive:${team.id}`, `file:${shared.id}`, `file:${mine.id}`]);
    expect(await list({ ...flags, restrictToMyDrive: true })).toEqual([`file:${mine.id}`]);
    expect(await list({ ...flags, driveId: team.id })).toEqual([`file:${shared.id}`]);
  });

  it('an unknown, future or expired page token is 400 invalid: the cue for a full listing', async () => {
    const { fake, model } = await fakeDrive();
    const { api } = signedIn(fake);
    const token = (await api.changes.getStartPageToken({})).data.startPageToken!;
    model.addFile('x.txt', 'x');
    expect((await api.changes.list({ pageToken: token })).data.changes).toHaveLength(1);

    for (const bad of ['not-a-token', String(Number(model.startPageToken()) + 1)]) {
      const err = await rejection(api.changes.list({ pageToken: bad }));
      expect(err.status).toBe(400);
      expect(cause(err).errors).toEqual([invalidParam('pageToken')]);
    }
    model.expireChangeTokens();
    const expired = await rejection(api.changes.list({ pageToken: token }));
    expect(expired.response?.data).toEqual({
      error: { code: 400, message: 'Invalid Value', errors: [invalidParam('pageToken')] },
    });
    // The client library insists on pageToken before anything is sent.
    await expect(api.changes.list({} as drive_v3.Params$Resource$Changes$List)).rejects.toThrow(
      'Missing required parameters: pageToken',
    );
  });
});

describe('fake Drive: injected faults and the client library', () => {
  it.each([
    ['rateLimitExceeded', 'Rate Limit Exceeded'],
    ['userRateLimitExceeded', 'User Rate Limit Exceeded'],
    ['dailyLimitExceeded', 'Daily Limit Exceeded'],
  ] as const)("403 %s reaches the caller unretried, in Drive's shape", async (reason, message) => {
    const { fake } = await fakeDrive();
    const { api } = signedIn(fake);
    fake.inject({ status: 403, reason });
    const err = await rejection(api.files.list({}));
    expect(err.status).toBe(403);
    expect(err.code).toBe(403);
    expect(err.message).toBe(message);
    // gaxios 8 has no err.errors: the list sits on err.cause and on the response body.
    expect((err as unknown as { errors?: unknown }).errors).toBeUndefined();
    expect(cause(err).errors).toEqual([{ message, domain: 'usageLimits', reason }]);
    expect(err.response?.data).toEqual({
      error: { code: 403, message, errors: [{ message, domain: 'usageLimits', reason }] },
    });
    expect(trail(fake, 0)).toEqual(['GET /drive/v3/files 403']);
  });

  it('429 and 5xx are retried by default (3 retries, GETs only); retry: false surfaces them at once', async () => {
    const { fake } = await fakeDrive();
    const { api } = signedIn(fake);

    fake.inject({ status: 429, times: 2 });
    expect((await api.files.list({})).status).toBe(200);
    expect(trail(fake, 0)).toEqual(['GET /drive/v3/files 429', 'GET /drive/v3/files 429', 'GET /drive/v3/files 200']);

    let from = fake.requests.length;
    fake.inject({ status: 503, times: 4 });
    const quick = { retryConfig: { retryDelay: 1, retryDelayMultiplier: 1 } };
    const unavailable = await rejection(api.files.list({}, quick));
    expect(unavailable.status).toBe(503);
    expect(cause(unavailable).status).toBe('UNAVAILABLE');
    expect(cause(unavailable).errors).toEqual([
      { message: 'The service is currently unavailable.', domain: 'global', reason: 'backendError' },
    ]);
    expect(trail(fake, from)).toEqual(Array(4).fill('GET /drive/v3/files 503'));

    from = fake.requests.length;
    fake.inject({ status: 429 });
    const once = await rejection(api.files.list({}, { retry: false }));
    expect(once.status).toBe(429);
    expect(cause(once).errors).toEqual([
      { message: 'Rate Limit Exceeded', domain: 'usageLimits', reason: 'rateLimitExceeded' },
    ]);
    expect(trail(fake, from)).toEqual(['GET /drive/v3/files 429']);

    from = fake.requests.length;
    fake.inject({ status: 'reset' });
    expect((await api.files.list({}, quick)).status).toBe(200);
    expect(trail(fake, from)).toEqual(['GET /drive/v3/files 0', 'GET /drive/v3/files 200']);
  });

  it('a 403 rate limit makes OAuth2Client refresh and retry when the credentials carry no expiry_date', async () => {
    const { fake } = await fakeDrive();
    const minted = fake.mintTokens();
    const { api } = signedIn(fake, {
      credentials: { access_token: minted.access_token, refresh_token: minted.refresh_token },
    });
    fake.inject({ status: 403, reason: 'rateLimitExceeded' });
    expect((await api.files.list({})).status).toBe(200);
    expect(trail(fake, 0)).toEqual(['GET /drive/v3/files 403', 'POST /token 200', 'GET /drive/v3/files 200']);
  });

  it('faults can target one path and are used up in order', async () => {
    const { fake } = await fakeDrive();
    const { api } = signedIn(fake);
    fake.inject({ status: 500, path: '/drive/v3/changes', times: 1 });
    fake.inject({ status: 403, reason: 'userRateLimitExceeded', path: /^\/drive\/v3\/about$/ });
    expect(fake.pendingFaults()).toBe(2);
    await api.files.list({});
    const token = await rejection(api.changes.getStartPageToken({}, { retry: false }));
    expect(token.status).toBe(500);
    expect(cause(token).errors).toEqual([{ message: 'Backend Error', domain: 'global', reason: 'backendError' }]);
    expect((await rejection(api.about.get({ fields: 'user' }))).status).toBe(403);
    expect(fake.pendingFaults()).toBe(0);
    expect(trail(fake, 0)).toEqual([
      'GET /drive/v3/files 200',
      'GET /drive/v3/changes/startPageToken 500',
      'GET /drive/v3/about 403',
    ]);
  });
});
