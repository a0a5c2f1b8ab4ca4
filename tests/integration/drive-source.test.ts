/**
 * A Google Drive as a source, through the real @googleapis/drive client and google-auth-library
 * against the fake Drive on 127.0.0.1: the loopback PKCE sign-in, a first run that lists folder
 * trees across pages with grouped parent queries, exports of Docs/Sheets/Slides/Drawings (and a
 * clear error for one over the export limit), duplicate names, '/' in names, shortcuts, a shared
 * drive, trashed items left out; then incremental runs from changes.list (add, modify, delete,
 * move, trash), rate limits backed off, a used-up quota ending the run partial and the next run
 * finishing, a lost change token falling back to a full listing, and Disconnect revoking.
 * Every snapshot restores byte for byte.
 */
import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/engine.js';
import { MemoryStore } from '../../electron/engine/secrets/memory-store.js';
import { StrataService } from '../../electron/engine/service.js';
import type { SourceEntry, WalkItem } from '../../electron/engine/sources/types.js';
import { FakeDrive, GOOGLE_MIME, startFakeDrive, type FakeDriveServer } from '../support/fake-drive/index.js';
import { cliOk, runCli, startCli } from '../support/cli.js';
import { bytes, treeState } from '../support/tree.js';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const PPTX = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';
const SVG = 'image/svg+xml';
const PDF = 'application/pdf';

const fileState = (b: Buffer | string): string => {
  const buf = Buffer.isBuffer(b) ? b : Buffer.from(b);
  return `file:${buf.length}:${createHash('sha256').update(buf).digest('hex')}`;
};
const sorted = (m: Map<string, string>) => new Map([...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** Follows the sign-in URL as a browser would: Google's consent, then the redirect to Strata's loopback. */
async function consentInBrowser(url: string): Promise<string> {
  const res = await fetch(url, { redirect: 'follow' });
  return res.text();
}

describe('a Google Drive source', () => {
  let fake: FakeDriveServer;
  let model: FakeDrive;
  let work: string;
  let engine: Engine;
  let service: StrataService;
  let env: NodeJS.ProcessEnv;
  /** What the Projects folder should restore to, path (under My Drive/Projects) → state. */
  const expected = new Map<string, string>();
  /** Folders (empty ones too) under Projects. */
  const dirs = new Set<string>();
  const ids: Record<string, string> = {};

  const addFile = (path: string, content: Buffer | string, parentId: string): string => {
    const name = path.split('/').at(-1)!;
    const f = model.addFile(name, content, parentId);
    expected.set(path, fileState(content));
    return f.id;
  };
  const restoreLatest = async (dest: string, snapshot = 'latest'): Promise<Map<string, string>> => {
    const to = await mkdtemp(join(work, `restore-${dest}-`));
    const report = await engine.restore({ dest, snapshot, to, source: 'drive' });
    expect(report.errors).toEqual([]);
    const all = await treeState(to);
    const out = new Map<string, string>();
    for (const [k, v] of all) if (k.startsWith('My Drive/Projects/')) out.set(k.slice('My Drive/Projects/'.length), v);
    return sorted(out);
  };
  const expectedTree = (): Map<string, string> => {
    const out = new Map<string, string>();
    for (const d of dirs) out.set(d, 'dir');
    for (const [k, v] of expected) {
      const parts = k.split('/');
      for (let i = 1; i < parts.length; i++) out.set(parts.slice(0, i).join('/'), 'dir');
      out.set(k, v);
    }
    return sorted(out);
  };

  beforeAll(async () => {
    model = new FakeDrive();
    // Small pages, so every listing spans several pages as a big Drive's would.
    fake = await startFakeDrive(model, { maxItemsPerPage: 7, exportSizeLimitBytes: 4000 });
    const projects = model.addFolder('Projects');
    ids.projects = projects.id;
    addFile('readme.txt', 'hello drive\n', projects.id);
    addFile('photo.jpg', bytes(600_000, 3), projects.id);
    addFile('big.bin', bytes(9_500_000, 4), projects.id); // streamed, over the in-memory limit
    // 60 folders: the first run lists them 50 parents per query.
    for (let i = 0; i < 60; i++) {
      const sub = model.addFolder(`sub-${String(i).padStart(2, '0')}`, projects.id);
      dirs.add(sub.name);
      if (i === 0) ids.sub00 = sub.id;
      if (i === 1) ids.sub01 = sub.id;
      if (i % 10 === 0) addFile(`sub-${String(i).padStart(2, '0')}/note-${i}.txt`, `note ${i}\n`, sub.id);
    }
    ids.doc = model.addDoc('Plan', { [DOCX]: 'docx bytes of Plan', [PDF]: '%PDF plan' }, projects.id).id;
    expected.set('Plan.docx', fileState('docx bytes of Plan'));
    model.addDoc('Budget', { [XLSX]: 'xlsx bytes' }, projects.id, { mimeType: GOOGLE_MIME.spreadsheet });
    expected.set('Budget.xlsx', fileState('xlsx bytes'));
    model.addDoc('Deck', { [PPTX]: 'pptx bytes' }, projects.id, { mimeType: GOOGLE_MIME.presentation });
    expected.set('Deck.pptx', fileState('pptx bytes'));
    model.addDoc('Sketch', { [SVG]: '<svg/>' }, projects.id, { mimeType: GOOGLE_MIME.drawing });
    expected.set('Sketch.svg', fileState('<svg/>'));
    // Over the (lowered) export limit: a per-file error, the rest goes on.
    ids.huge = model.addDoc('Huge', { [DOCX]: bytes(5000, 9) }, projects.id).id;
    // Two items with one name, and a name with a slash.
    const firstReport = model.addFile('report.pdf', 'first report', projects.id);
    const secondReport = model.addFile('report.pdf', 'second report', projects.id);
    expected.set('report.pdf', fileState('first report'));
    expected.set(`report (${secondReport.id.slice(0, 8)}).pdf`, fileState('second report'));
    ids.firstReport = firstReport.id;
    addFile('a%2Fb 50%.txt', 'slash', projects.id);
    model.rename(model.children(projects.id).find((f) => f.name === 'a%2Fb 50%.txt')!.id, 'a/b 50%.txt');
    expected.delete('a%2Fb 50%.txt');
    expected.set('a%2Fb 50%.txt', fileState('slash')); // '/' escaped as %2F
    // Trashed: left out.
    model.trash(model.addFile('old.txt', 'trash me', projects.id).id);
    // A shortcut to a folder elsewhere: recorded as a link.
    const photos = model.addFolder('Photos');
    model.addFile('cat.jpg', 'meow', photos.id);
    model.addShortcut('Photos shortcut', photos.id, projects.id);
    expected.set('Photos shortcut', 'link:../Photos');
    // A shared drive.
    const team = model.addSharedDrive('Team');
    const teamDocs = model.addFolder('Docs', team.id);
    model.addFile('handbook.txt', 'team handbook', teamDocs.id);

    work = await mkdtemp(join(tmpdir(), 'strata-drive-'));
    env = {
      ...process.env,
      STRATA_GOOGLE_API_URL: fake.rootUrl,
      STRATA_GOOGLE_AUTH_URL: fake.authUrl,
      STRATA_GOOGLE_TOKEN_URL: fake.tokenUrl,
      STRATA_GOOGLE_REVOKE_URL: fake.revokeUrl,
      STRATA_DRIVE_RETRY_BASE_MS: '5',
    };
    engine = Engine.open({ home: join(work, 'home'), secrets: new MemoryStore(), env });
    service = new StrataService(engine, { host: 'headless' });
    await engine.addLocalDestination('disk', join(work, 'disk'));
    await engine.addLocalDestination('nas', join(work, 'nas'));
  }, 60_000);

  afterAll(async () => {
    engine?.close();
    await fake?.stop();
  });

  it('signs in through the loopback with PKCE and keeps the tokens only in the secret store', async () => {
    const attempt = await engine.connectDrive({
      name: 'drive',
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
    });
    const url = new URL(attempt.url);
    expect(url.origin + url.pathname).toBe(fake.authUrl);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('access_type')).toBe('offline');
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(url.searchParams.get('scope')).toBe('https://www.googleapis.com/auth/drive.readonly');
    const page = await consentInBrowser(attempt.url);
    expect(page).toContain('Strata is connected to Google Drive');
    const rec = await attempt.done;
    expect(rec.config).toMatchObject({ kind: 'gdrive', clientId: fake.clientId, account: 'backup.user@example.com' });
    const row = engine.db.prepare('SELECT config FROM sources WHERE name = ?').get('drive') as { config: string };
    expect(row.config).not.toMatch(/token|secret/i);
    const secrets = await engine.secrets();
    const tokens = JSON.parse((await secrets.get(`source/${rec.id}/oauth-token`))!) as Record<string, unknown>;
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(await secrets.get(`source/${rec.id}/client-secret`)).toBe(fake.clientSecret);
    expect(engine.secretNames()).toEqual(
      expect.arrayContaining([`source/${rec.id}/client-secret`, `source/${rec.id}/oauth-token`]),
    );
    const list = await service.handle('sources.list', {});
    expect(list).toMatchObject({
      ok: true,
      result: [{ name: 'drive', kind: 'gdrive', connected: true, account: 'backup.user@example.com' }],
    });
  });

  it('a refused consent, a forged answer and a wrong client secret are clear errors; nothing is added', async () => {
    fake.oauth.nextConsent = 'deny';
    const refused = await engine.connectDrive({
      name: 'nope',
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
    });
    expect(await consentInBrowser(refused.url)).toContain('Google Drive was not connected');
    await expect(refused.done).rejects.toThrow(/refused \(access denied\)/);

    const forged = await engine.connectDrive({
      name: 'nope',
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
    });
    const loopback = new URL(forged.url).searchParams.get('redirect_uri')!;
    const answer = await fetch(`${loopback}?code=stolen&state=not-the-one`);
    expect(answer.status).toBe(400);
    forged.cancel();
    await expect(forged.done).rejects.toThrow(/cancelled/);

    const wrong = await engine.connectDrive({ name: 'nope', clientId: fake.clientId, clientSecret: 'not-the-secret' });
    await consentInBrowser(wrong.url);
    await expect(wrong.done).rejects.toMatchObject({
      message: 'Google refused the sign-in code',
      hint: expect.stringMatching(/check the OAuth client id and secret/),
    });
    expect(engine.catalog.findSource('nope')).toBeUndefined();
    await expect(engine.connectDrive({ name: 'nope', clientId: fake.clientId })).rejects.toThrow(/client secret/);
  });

  it('shows My Drive and the shared drives in the tree, with the names a backup uses', async () => {
    const top = await service.handle('tree.list', { source: 'drive', folder: '' });
    const names = (r: unknown) =>
      (r as { result: { entries: { name: string; type: string }[] } }).result.entries.map((e) => `${e.type}:${e.name}`);
    expect(names(top)).toEqual(['dir:My Drive', 'dir:Shared drives']);
    expect(names(await service.handle('tree.list', { source: 'drive', folder: 'Shared drives' }))).toEqual([
      'dir:Team',
    ]);
    expect(names(await service.handle('tree.list', { source: 'drive', folder: 'Shared drives/Team/Docs' }))).toEqual([
      'file:handbook.txt',
    ]);
    const projects = names(
      await service.handle('tree.list', { source: 'drive', folder: 'My Drive/Projects', limit: 2000 }),
    );
    expect(projects).toContain('file:Plan.docx');
    expect(projects).toContain('file:a%2Fb 50%.txt');
    expect(projects).toContain('symlink:Photos shortcut');
    expect(projects).not.toContain('file:old.txt');
    expect(projects.filter((n) => n.startsWith('dir:sub-'))).toHaveLength(60);
  });

  let first: string;

  it('backs up the ticked folders to two destinations; an export over the limit is a clear per-file error', async () => {
    engine.setPolicy('drive', 'My Drive/Projects', ['disk', 'nas']);
    engine.setPolicy('drive', 'Shared drives/Team', ['disk']);
    const before = fake.requests.length;
    const out = await engine.backup({});
    expect(out.status).toBe('partial');
    expect(out.problems).toEqual([
      expect.objectContaining({
        path: 'My Drive/Projects/Huge.docx',
        error: expect.stringMatching(/too large for Google to export.*10 MB.*choose pdf/),
      }),
    ]);
    // Grouped listing: the 60 sub-folders took two grouped queries (50 + 10 parents), not 60.
    const lists = fake.requests
      .slice(before)
      .filter((r) => r.path === '/drive/v3/files' && !r.query.pageToken)
      .map((r) => (r.query.q?.match(/in parents/g) ?? []).length);
    expect(lists.filter((n) => n === 50)).toHaveLength(1);
    expect(lists.filter((n) => n === 10)).toHaveLength(1);
    // A folder that came back empty from a grouped query is asked again on its own (Drive can drop some).
    const alone = fake.requests
      .slice(before)
      .filter((r) => r.path === '/drive/v3/files' && (r.query.q?.match(/in parents/g) ?? []).length === 1);
    expect(alone.some((r) => r.query.q!.includes(ids.sub01!))).toBe(true);
    expect(alone.some((r) => r.query.q!.includes(ids.sub00!))).toBe(false);
    // Only the ticked folder was read: nothing of the shared drive or Photos was downloaded.
    expect(fake.requests.slice(before).some((r) => r.path.includes('/files/') && r.query.alt === 'media')).toBe(true);
    first = out.results.find((r) => r.destName === 'disk')!.snapshotId!;
    for (const dest of ['disk', 'nas']) expect(await restoreLatest(dest)).toEqual(expectedTree());
    // The shared drive went to the disk only (the tree listed it within its own drive before).
    expect(
      fake.requests.some((r) => r.path === '/drive/v3/files' && r.query.corpora === 'drive' && r.query.driveId),
    ).toBe(true);
    const team = await mkdtemp(join(work, 'restore-team-'));
    await engine.restore({
      dest: 'disk',
      snapshot: 'latest',
      to: team,
      source: 'drive',
      filter: { pathPrefix: 'Shared drives' },
    });
    expect((await treeState(team)).get('Shared drives/Team/Docs/handbook.txt')).toBe(fileState('team handbook'));
  }, 120_000);

  it('an unchanged Drive sends nothing and reads only the changes feed', async () => {
    const before = fake.requests.length;
    const out = await engine.backup({});
    expect(out.results.every((r) => r.filesUploaded === 0)).toBe(true);
    const calls = fake.requests.slice(before).map((r) => r.path);
    expect(calls).toContain('/drive/v3/changes');
    expect(calls.filter((p) => p === '/drive/v3/files')).toHaveLength(0);
    expect(calls.some((p) => p.startsWith('/drive/v3/files/'))).toBe(true); // only Huge.docx, tried again
  }, 60_000);

  it('incremental runs apply changes: add, modify, delete, move, trash, a new Doc version, a new folder', async () => {
    addFile('sub-01/added.txt', 'added later', ids.sub01!);
    model.modify(model.children(ids.projects!).find((f) => f.name === 'readme.txt')!.id, 'hello again, drive\n');
    expected.set('readme.txt', fileState('hello again, drive\n'));
    model.remove(model.children(ids.projects!).find((f) => f.name === 'photo.jpg')!.id);
    expected.delete('photo.jpg');
    const note = model.children(ids.sub00!)[0]!;
    model.move(note.id, ids.sub01!);
    expected.delete('sub-00/note-0.txt');
    expected.set('sub-01/note-0.txt', fileState('note 0\n'));
    model.trash(model.children(ids.projects!).find((f) => f.name === 'Sketch')!.id);
    expected.delete('Sketch.svg');
    model.modify(ids.doc!, { [DOCX]: 'docx bytes of Plan, v2', [PDF]: '%PDF plan v2' });
    expected.set('Plan.docx', fileState('docx bytes of Plan, v2'));
    // A new folder with content appears: listed on its own.
    const fresh = model.addFolder('fresh', ids.projects!);
    dirs.add('fresh');
    addFile('fresh/inside.txt', 'inside', fresh.id);
    model.remove(ids.huge!); // the failing Doc is gone: this run is clean

    const before = fake.requests.length;
    const out = await engine.backup({});
    expect(out.status).toBe('ok');
    const disk = out.results.find((r) => r.destName === 'disk')!;
    expect(disk).toMatchObject({ filesUploaded: 5, filesDeleted: 3 });
    const calls = fake.requests.slice(before);
    expect(calls.filter((r) => r.path === '/drive/v3/changes').length).toBeGreaterThan(0);
    // Only the new folder was listed.
    expect(calls.filter((r) => r.path === '/drive/v3/files').every((r) => r.query.q?.includes(fresh.id))).toBe(true);
    for (const dest of ['disk', 'nas']) expect(await restoreLatest(dest)).toEqual(expectedTree());
    // The first snapshot still restores as it was.
    const old = await restoreLatest('disk', first);
    expect(old.get('photo.jpg')).toBe(fileState(bytes(600_000, 3)));
    expect(old.get('Plan.docx')).toBe(fileState('docx bytes of Plan'));
  }, 120_000);

  it('refreshes an access token Google dropped early, and keeps the refreshed one', async () => {
    const rec = engine.catalog.source('drive');
    const secrets = await engine.secrets();
    const before = JSON.parse((await secrets.get(`source/${rec.id}/oauth-token`))!) as { access_token: string };
    fake.expireAccessTokens();
    const from = fake.requests.length;
    expect((await engine.backup({})).status).toBe('ok');
    const trail = fake.requests.slice(from).map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(trail.slice(0, 3)).toEqual(['GET /drive/v3/changes 401', 'POST /token 200', 'GET /drive/v3/changes 200']);
    const after = JSON.parse((await secrets.get(`source/${rec.id}/oauth-token`))!) as {
      access_token: string;
      refresh_token: string;
    };
    expect(after.access_token).not.toBe(before.access_token);
    expect(after.refresh_token).toEqual(expect.any(String));
  }, 60_000);

  it('backs off 403 rate limits and 429s and finishes the run', async () => {
    addFile('after-limits.txt', 'patience', ids.projects!);
    fake.inject({ status: 403, reason: 'userRateLimitExceeded', times: 2, path: '/drive/v3/changes' });
    fake.inject({ status: 429, times: 2, path: /^\/drive\/v3\/files\/.+/ });
    fake.inject({ status: 403, reason: 'rateLimitExceeded', times: 1, path: /^\/drive\/v3\/files\/.+/ });
    const before = fake.requests.length;
    const out = await engine.backup({});
    expect(out.status).toBe('ok');
    expect(fake.pendingFaults()).toBe(0);
    const faults = fake.requests.slice(before).filter((r) => r.fault !== undefined);
    expect(faults).toHaveLength(5);
    expect(await restoreLatest('nas')).toEqual(expectedTree());
  }, 60_000);

  it('a used-up daily quota ends the run partial with a clear message; the next run finishes the work', async () => {
    addFile('quota-1.txt', 'one', ids.projects!);
    addFile('quota-2.txt', 'two', ids.projects!);
    fake.inject({ status: 403, reason: 'dailyLimitExceeded', times: 1, path: /^\/drive\/v3\/files\/.+/ });
    const out = await engine.backup({});
    expect(out.status).toBe('partial');
    // Reads already under way may finish; every read after Google's answer fails at once, without asking again.
    expect(out.problems.length).toBeGreaterThanOrEqual(1);
    for (const p of out.problems) {
      expect(p.path).toMatch(/^My Drive\/Projects\/quota-[12]\.txt$/);
      expect(p.error).toMatch(/daily quota.*used up.*next run/);
    }
    const next = await engine.backup({});
    expect(next.status).toBe('ok');
    expect(next.results.find((r) => r.destName === 'disk')!.filesUploaded).toBe(out.problems.length);
    expect(await restoreLatest('disk')).toEqual(expectedTree());
  }, 60_000);

  it('a change token Drive no longer accepts falls back to a full listing, and nothing is sent twice', async () => {
    addFile('sub-02/after-expiry.txt', 'late', model.children(ids.projects!).find((f) => f.name === 'sub-02')!.id);
    model.expireChangeTokens();
    const before = fake.requests.length;
    const out = await engine.backup({});
    expect(out.status).toBe('ok');
    expect(out.results.find((r) => r.destName === 'nas')!.filesUploaded).toBe(1);
    const calls = fake.requests.slice(before);
    expect(calls.some((r) => r.path === '/drive/v3/changes' && r.status === 400)).toBe(true);
    expect(calls.some((r) => r.path === '/drive/v3/changes/startPageToken')).toBe(true);
    expect(await restoreLatest('nas')).toEqual(expectedTree());
  }, 60_000);

  it('a folder policy chooses how Docs below it are exported; the tree shows the names a backup writes', async () => {
    const reports = model.addFolder('Reports', ids.projects!);
    dirs.add('Reports');
    model.addDoc('Q1', { [DOCX]: 'q1 docx', [PDF]: '%PDF q1' }, reports.id);
    engine.setPolicyExports('drive', 'My Drive/Projects/Reports', { document: 'pdf' });
    expect(engine.listPolicies('drive').find((p) => p.folder === 'My Drive/Projects/Reports')).toMatchObject({
      exports: { document: 'pdf' },
    });
    const listing = await service.handle('tree.list', { source: 'drive', folder: 'My Drive/Projects/Reports' });
    expect(listing).toMatchObject({ ok: true, result: { entries: [{ name: 'Q1.pdf', type: 'file' }] } });
    expected.set('Reports/Q1.pdf', fileState('%PDF q1'));
    expect((await engine.backup({})).status).toBe('ok');
    expect(await restoreLatest('disk')).toEqual(expectedTree());
    // Back to the inherited docx: the next run replaces Q1.pdf by Q1.docx.
    await service.handle('policies.setExports', {
      source: 'drive',
      folder: 'My Drive/Projects/Reports',
      exports: null,
    });
    expected.delete('Reports/Q1.pdf');
    expected.set('Reports/Q1.docx', fileState('q1 docx'));
    const out = await engine.backup({});
    expect(out.results.find((r) => r.destName === 'disk')).toMatchObject({ filesUploaded: 1, filesDeleted: 1 });
    expect(await restoreLatest('disk')).toEqual(expectedTree());
    expect(() => engine.setPolicy('drive', 'My Drive', ['disk'], [], undefined, { document: 'md' })).not.toThrow();
    engine.removePolicy('drive', 'My Drive');
  }, 60_000);

  it('follows shortcuts when asked, and a shortcut back into its own ancestry stays a link', async () => {
    const loop = model.addFolder('Loop', ids.projects!);
    model.addShortcut('back to Projects', ids.projects!, loop.id);
    await engine.setDriveOptions('drive', { followShortcuts: true, exports: { document: 'pdf' } });
    const opened = await engine.openSource(engine.catalog.source('drive'));
    const seen = new Map<string, WalkItem>();
    for await (const item of opened.source.walk({
      isExcluded: (p) => !(p === 'My Drive' || p === 'My Drive/Projects' || p.startsWith('My Drive/Projects/')),
    })) {
      seen.set(item.path, item);
    }
    await opened.close();
    const cat = seen.get('My Drive/Projects/Photos shortcut/cat.jpg') as SourceEntry | undefined;
    expect(cat).toMatchObject({ type: 'file', size: 4 });
    expect(seen.get('My Drive/Projects/Loop/back to Projects')).toMatchObject({
      type: 'symlink',
      linkTarget: '../../Projects',
    });
    expect(seen.has('My Drive/Projects/Plan.pdf')).toBe(true);
    expect(seen.has('My Drive/Projects/Plan.docx')).toBe(false);
    await engine.setDriveOptions('drive', { followShortcuts: false, exports: { document: 'docx' } });
  }, 60_000);

  it('Disconnect revokes the grant at Google; a backup then says to sign in again', async () => {
    const rec = engine.catalog.source('drive');
    const reply = await service.handle('sources.gdrive.disconnect', { name: 'drive' });
    expect(reply).toEqual({ ok: true, result: { ok: true } });
    expect(await (await engine.secrets()).get(`source/${rec.id}/oauth-token`)).toBeUndefined();
    expect(fake.requests.some((r) => r.path === '/revoke' && r.status === 200)).toBe(true);
    expect(await service.handle('sources.list', {})).toMatchObject({ result: [{ name: 'drive', connected: false }] });
    const out = await engine.backup({});
    expect(out.status).toBe('failed');
    expect(out.results[0]!.error).toMatch(/not signed in to Google.*Reconnect/);
    // Reconnect keeps the client and the snapshot series.
    const again = await engine.connectDrive({ name: 'drive' });
    await consentInBrowser(again.url);
    expect((await again.done).id).toBe(rec.id);
    expect((await engine.backup({})).status).toBe('ok');
  }, 60_000);
});

describe('a Google Drive source on the command line', () => {
  let fake: FakeDriveServer;
  let work: string;

  beforeAll(async () => {
    const model = new FakeDrive();
    const docs = model.addFolder('Documents');
    model.addFile('letter.txt', 'Dear Drive,\n', docs.id);
    model.addDoc('Minutes', { [DOCX]: 'minutes docx', [PDF]: '%PDF minutes' }, docs.id);
    fake = await startFakeDrive(model);
    work = await mkdtemp(join(tmpdir(), 'strata-drive-cli-'));
  });

  afterAll(async () => {
    await fake?.stop();
  });

  it('adds a Drive by printing the sign-in URL and waiting on the loopback, backs it up and disconnects', async () => {
    const home = join(work, 'home');
    const env = {
      STRATA_GOOGLE_API_URL: fake.rootUrl,
      STRATA_GOOGLE_AUTH_URL: fake.authUrl,
      STRATA_GOOGLE_TOKEN_URL: fake.tokenUrl,
      STRATA_GOOGLE_REVOKE_URL: fake.revokeUrl,
      STRATA_GOOGLE_CLIENT_SECRET: fake.clientSecret,
    };
    const child = startCli(
      ['source', 'add', 'gdrive', 'drive', '--client-id', fake.clientId, '--export', 'document=pdf'],
      { home, env },
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr!.on('data', (c: Buffer) => {
        stderr += c.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      child.once('exit', () => reject(new Error(`exited before printing the URL:\n${stderr}`)));
    });
    expect(stderr).toContain('Waiting for Google');
    expect(await consentInBrowser(url)).toContain('Strata is connected to Google Drive');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(stdout).toContain("Connected source 'drive' (Google Drive (backup.user@example.com))");

    expect(await cliOk(['source', 'list'], { home, env })).toMatch(
      /drive\s+gdrive\s+Google Drive \(backup\.user@example\.com\)/,
    );
    await cliOk(['dest', 'add', 'local', 'disk', join(work, 'disk')], { home, env });
    await cliOk(['policy', 'set', 'drive', '/My Drive/Documents', '--to', 'disk'], { home, env });
    expect(await cliOk(['backup'], { home, env })).toMatch(/OK\s+drive → disk: 2 files/);
    const to = join(work, 'restored');
    await cliOk(['restore', 'disk', 'latest', '--to', to], { home, env });
    const state = await treeState(to);
    expect(state.get('My Drive/Documents/letter.txt')).toBe(fileState('Dear Drive,\n'));
    expect(state.get('My Drive/Documents/Minutes.pdf')).toBe(fileState('%PDF minutes'));

    expect(
      await cliOk(['policy', 'set', 'drive', '/My Drive/Documents', '--to', 'disk', '--export', 'document=docx'], {
        home,
        env,
      }),
    ).toContain('Docs saved as document → docx');
    expect(await cliOk(['backup'], { home, env })).toMatch(/OK\s+drive → disk: 2 files/);
    const docx = join(work, 'restored-docx');
    await cliOk(['restore', 'disk', 'latest', '--to', docx], { home, env });
    expect((await treeState(docx)).get('My Drive/Documents/Minutes.docx')).toBe(fileState('minutes docx'));
    await cliOk(['dest', 'add', 'local', 'other', join(work, 'other')], { home, env });
    await cliOk(['source', 'add', 'local', 'docs', work], { home, env });
    const notDrive = await runCli(['policy', 'set', 'docs', '/', '--to', 'other', '--export', 'document=pdf'], {
      home,
      env,
    });
    expect(notDrive.code).toBe(2);
    expect(notDrive.stderr).toContain('only Google Drive sources export Docs');
    await cliOk(['source', 'remove', 'docs'], { home, env });

    const bad = await runCli(['source', 'set', 'drive', '--export', 'document=rtf'], { home, env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('document=docx|odt|pdf|txt|md');

    expect(await cliOk(['source', 'disconnect', 'drive'], { home, env })).toContain("Google revoked Strata's access");
    expect(await cliOk(['source', 'list'], { home, env })).toContain('(disconnected)');
    const after = await runCli(['backup'], { home, env });
    expect(after.code).toBe(1);
    expect(after.stdout + after.stderr).toMatch(/not signed in to Google.*strata source connect drive/);
  }, 120_000);
});
