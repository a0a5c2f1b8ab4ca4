import { request } from 'node:http';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServe, type ServedHost } from '../support/serve-host.js';

/** A raw request, so Host and Origin headers can be anything a hostile page or client would send. */
function raw(
  host: ServedHost,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(host.origin);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: Number(u.port),
        path,
        method: opts.method ?? 'GET',
        headers: opts.headers,
        agent: false,
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

function wsOutcome(url: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
    ws.on('error', (err) => resolve(`error: ${err.message}`));
  });
}

describe('strata serve: host security', () => {
  let host: ServedHost;
  let home: string;
  const json = { 'content-type': 'application/json' };

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'strata-host-'));
    host = await startServe(home);
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('prints an address on 127.0.0.1 with a long random token', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{40,}$/);
  });

  it('answers 401 to every /api/ request without the right token, before routing', async () => {
    for (const path of ['/api/call/app.info', '/api/nothing-here', '/api', '/api/call/sources.remove']) {
      const r = await raw(host, path, { method: 'POST', headers: json, body: '{}' });
      expect(r.status, path).toBe(401);
      expect(JSON.parse(r.body).error.code).toBe('unauthorized');
    }
    const wrong = await raw(host, '/api/call/app.info', {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${host.token.slice(1)}x` },
      body: '{}',
    });
    expect(wrong.status).toBe(401);
    // A token in the query string is not accepted for calls (it would end up in logs and history).
    const query = await raw(host, `/api/call/app.info?token=${host.token}`, {
      method: 'POST',
      headers: json,
      body: '{}',
    });
    expect(query.status).toBe(401);
  });

  it('refuses other origins and foreign Host names, and sends no CORS headers', async () => {
    const auth = { ...json, authorization: `Bearer ${host.token}` };
    const evil = await raw(host, '/api/call/app.info', {
      method: 'POST',
      headers: { ...auth, origin: 'https://evil.example' },
      body: '{}',
    });
    expect(evil.status).toBe(403);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await raw(host, '/api/call/app.info', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect([401, 403]).toContain(preflight.status);
    const rebound = await raw(host, '/api/call/app.info', {
      method: 'POST',
      headers: { ...auth, host: `evil.example:${new URL(host.origin).port}` },
      body: '{}',
    });
    expect(rebound.status).toBe(403);
    const own = await raw(host, '/api/call/app.info', {
      method: 'POST',
      headers: { ...auth, origin: host.origin },
      body: '{}',
    });
    expect(own.status).toBe(200);
    expect(JSON.parse(own.body).result.host).toBe('headless');
  });

  it('answers malformed calls with a typed error, never a crash', async () => {
    const auth = { authorization: `Bearer ${host.token}` };
    const notJson = await raw(host, '/api/call/sources.add', {
      method: 'POST',
      headers: { ...auth, ...json },
      body: '{"name": "x",',
    });
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body).error).toMatchObject({ code: 'usage', message: 'the body is not valid JSON' });
    const badField = await raw(host, '/api/call/sources.add', {
      method: 'POST',
      headers: { ...auth, ...json },
      body: JSON.stringify({ name: '../etc', path: '/tmp' }),
    });
    expect(badField.status).toBe(400);
    expect(JSON.parse(badField.body).error).toMatchObject({ code: 'usage', field: 'name' });
    const extra = await raw(host, '/api/call/runs.cancel', {
      method: 'POST',
      headers: { ...auth, ...json },
      body: JSON.stringify({ surprise: true }),
    });
    expect(extra.status).toBe(400);
    const form = await raw(host, '/api/call/app.info', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    expect(form.status).toBe(415);
    const unknown = await raw(host, '/api/call/nothing.here', {
      method: 'POST',
      headers: { ...auth, ...json },
      body: '{}',
    });
    expect(unknown.status).toBe(404);
    const huge = await raw(host, '/api/call/app.info', {
      method: 'POST',
      headers: { ...auth, ...json },
      body: JSON.stringify({ x: 'y'.repeat(2 * 1024 * 1024) }),
    }).catch((err: Error) => ({ status: 413, body: err.message, headers: {} }));
    expect(huge.status).toBe(413);
    const traversal = await raw(host, '/api/call/tree.list', {
      method: 'POST',
      headers: { ...auth, ...json },
      body: JSON.stringify({ source: 'x', folder: '../../etc' }),
    });
    expect(traversal.status).toBe(400);
    // Still alive and answering.
    expect((await host.call<{ host: string }>('app.info')).host).toBe('headless');
  });

  it('guards the event stream with the token and the Origin', async () => {
    const base = host.origin.replace('http:', 'ws:');
    expect(await wsOutcome(`${base}/api/events`)).toBe('401');
    expect(await wsOutcome(`${base}/api/events?token=nope`)).toBe('401');
    expect(await wsOutcome(`${base}/api/events?token=${host.token}`, { origin: 'https://evil.example' })).toBe('403');
    expect(await wsOutcome(`${base}/api/events?token=${host.token}`, { origin: host.origin })).toBe('open');
  });

  it('pushes events to an authorised socket', async () => {
    const ws = new WebSocket(`${host.origin.replace('http:', 'ws:')}/api/events?token=${host.token}`, {
      headers: { origin: host.origin },
    });
    await new Promise((r, j) => {
      ws.once('open', r);
      ws.once('error', j);
    });
    const frame = new Promise<{ event: string; data: { topics: string[] } }>((r, j) => {
      ws.once('message', (m) => r(JSON.parse(String(m))));
      setTimeout(() => j(new Error('no event within 10 s')), 10_000);
    });
    const folder = join(home, 'docs');
    await mkdir(folder);
    await host.call('sources.add', { name: 'docs', path: folder });
    expect(await frame).toEqual({ event: 'changed', data: { topics: ['sources'] } });
    ws.close();
  });

  it('serves the page with a strict CSP and refuses paths outside the renderer', async () => {
    const page = await raw(host, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    for (const path of ['/../../package.json', '/%2e%2e/%2e%2e/package.json', '/assets/../../../package.json']) {
      const r = await raw(host, path);
      expect(r.body, path).not.toContain('strata-backup');
    }
  });

  it('keeps S3 secrets out of every answer and out of the database file', async () => {
    const secret = 'SECRET-never-shown-1234567890';
    const draft = {
      kind: 's3',
      provider: 'other',
      bucket: 'bucket-x',
      prefix: '',
      endpoint: 'http://127.0.0.1:9',
      accessKeyId: 'AKIDEXAMPLE',
    };
    await host.call('destinations.add', { name: 'cloud', settings: { ...draft, secretAccessKey: secret } });
    const list = await host.call<{ secretSaved: boolean }[]>('destinations.list');
    expect(JSON.stringify(list)).not.toContain(secret);
    expect(list[0]!.secretSaved).toBe(true);
    const db = await readFile(join(home, 'strata.db')).catch(() => Buffer.alloc(0));
    const wal = await readFile(join(home, 'strata.db-wal')).catch(() => Buffer.alloc(0));
    expect(Buffer.concat([db, wal]).includes(Buffer.from(secret))).toBe(false);
    // The unsaved-draft test uses the saved secret when the secret field is left empty, and says which step failed.
    const test = await host.call<{ ok: boolean; summary: string; steps: { step: string; ok: boolean }[] }>(
      'destinations.test',
      { name: 'cloud', settings: draft },
    );
    expect(test.ok).toBe(false);
    expect(test.steps[0]).toMatchObject({ step: 'write', ok: false });
    expect(test.summary).toMatch(/^Failed at writing a test file: /);
    expect(test.summary).not.toContain(secret);
    expect(host.output()).not.toContain(secret);
  });
});
