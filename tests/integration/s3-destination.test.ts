import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { CreateMultipartUploadCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StrataError } from '../../shared/errors.js';
import type { S3Credentials, S3DestinationConfig } from '../../electron/engine/destinations/config.js';
import { createS3Client } from '../../electron/engine/destinations/s3/client.js';
import { resolveS3Settings } from '../../electron/engine/destinations/s3/presets.js';
import { S3Destination, type S3DestinationOptions } from '../../electron/engine/destinations/s3/s3-destination.js';
import { startFaultProxy, type FaultProxy, type ProxiedRequest } from '../support/fault-proxy.js';
import { openS3Target, realTargetFromEnv, type S3Target } from '../support/s3-target.js';
import { startS3rver, type S3rverHarness } from '../support/s3rver.js';

const MIB = 1024 * 1024;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function collectKeys(dest: S3Destination, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of dest.list(prefix)) keys.push(o.key);
  return keys.sort();
}

/** Hashes while the body streams, like the backup engine: the digest exists only after the end. */
function hashingStream(source: Readable): { body: Readable; digest: () => string } {
  const hash = createHash('sha256');
  let hex: string | undefined;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
    flush(cb) {
      hex = hash.digest('hex');
      cb();
    },
  });
  source.on('error', (err) => t.destroy(err));
  return {
    body: source.pipe(t),
    digest: () => {
      if (hex === undefined) throw new Error('sha256 asked for before the body ended');
      return hex;
    },
  };
}

async function expectStrataError(promise: Promise<unknown>, code: StrataError['code']): Promise<StrataError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StrataError);
  expect((err as StrataError).code).toBe(code);
  return err as StrataError;
}

const fast: S3DestinationOptions = { baseDelayMs: 20, maxDelayMs: 500 };
const targetName = realTargetFromEnv() ? `${realTargetFromEnv()?.config.provider} (real)` : 's3rver';

describe(`S3Destination against ${targetName}`, () => {
  let target: S3Target;
  let dir: string;
  let bigFile: { path: string; size: number; sha: string };
  const opened: S3Destination[] = [];
  const open = (
    sub: string,
    options: S3DestinationOptions = {},
    config?: S3DestinationConfig,
    credentials?: S3Credentials,
  ) => {
    const d = new S3Destination(config ?? target.config(sub), credentials ?? target.credentials, {
      ...fast,
      ...options,
    });
    opened.push(d);
    return d;
  };

  beforeAll(async () => {
    target = await openS3Target();
    dir = await mkdtemp(join(tmpdir(), 'strata-s3-test-'));
    const data = randomBytes(25 * MIB + 123_457);
    bigFile = { path: join(dir, 'big.bin'), size: data.length, sha: sha256(data) };
    await writeFile(bigFile.path, data);
  });

  afterAll(async () => {
    await Promise.all(opened.map((d) => d.close()));
    await target?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('puts a buffer and reads it back with its sha256 in metadata', async () => {
    const d = open('roundtrip');
    const body = randomBytes(70_000);
    await d.putBuffer('docs/report.pdf', body, sha256(body));
    const info = await d.head('docs/report.pdf');
    expect(info?.key).toBe('docs/report.pdf');
    expect(info?.sha256).toBe(sha256(body));
    const back = await readAll(await d.get('docs/report.pdf'));
    expect(back.equals(body)).toBe(true);
  });

  it('stores empty objects, from a buffer and from a stream', async () => {
    const d = open('empty');
    const emptySha = sha256(Buffer.alloc(0));
    await d.putBuffer('a/empty-buffer', Buffer.alloc(0), emptySha);
    await d.putStream('a/empty-stream', Readable.from([]), { size: 0, sha256: () => emptySha });
    for (const key of ['a/empty-buffer', 'a/empty-stream']) {
      expect((await d.head(key))?.sha256).toBe(emptySha);
      expect((await readAll(await d.get(key))).length).toBe(0);
    }
    expect(await collectKeys(d, 'a')).toEqual(['a/empty-buffer', 'a/empty-stream']);
  });

  it('handles unicode, spaces and ~900-byte keys', async () => {
    const d = open('keys');
    const segment = 'é'.repeat(45) + '-' + 'x'.repeat(60); // 151 bytes
    const long = `long/${Array.from({ length: 5 }, () => segment).join('/')}/${'z'.repeat(130)}.bin`;
    expect(Buffer.byteLength(long)).toBeGreaterThan(880);
    const keys = ['unicode/ünïcödé 文件 🎉.txt', 'spaces/a file with  two  spaces.txt', 'emoji/📁/📄.md', long];
    for (const [i, key] of keys.entries()) {
      const body = Buffer.from(`content ${i}`);
      await d.putBuffer(key, body, sha256(body));
      expect((await readAll(await d.get(key))).toString()).toBe(`content ${i}`);
      expect((await d.head(key))?.sha256).toBe(sha256(body));
    }
    expect(await collectKeys(d, '')).toEqual([...keys].sort());
  });

  it('records no sha256 for an object put without one (a vault pack, whose name is not its hash)', async () => {
    const d = open('no-sha');
    await d.putBuffer('packs/ab/pack', Buffer.from('sealed blobs'), undefined);
    const info = await d.head('packs/ab/pack');
    expect(info?.size).toBe(12);
    expect(info?.sha256).toBeUndefined();
  });

  it('streams a file over 3 parts with its sha256 known up front', async () => {
    const d = open('multipart');
    let progress = 0;
    await d.putStream('big/file.bin', createReadStream(bigFile.path), {
      size: bigFile.size,
      sha256: bigFile.sha,
      onProgress: (n) => (progress += n),
    });
    expect(progress).toBe(bigFile.size);
    expect((await d.head('big/file.bin'))?.sha256).toBe(bigFile.sha);
    const back = await readAll(await d.get('big/file.bin'));
    expect(back.length).toBe(bigFile.size);
    expect(sha256(back)).toBe(bigFile.sha);
  });

  it('streams a multipart file whose sha256 is known only at the end (self-copy sets it)', async () => {
    const d = open('late-sha');
    const { body, digest } = hashingStream(createReadStream(bigFile.path));
    await d.putStream('late/file.bin', body, { size: bigFile.size, sha256: digest });
    expect((await d.head('late/file.bin'))?.sha256).toBe(bigFile.sha);
    expect(sha256(await readAll(await d.get('late/file.bin')))).toBe(bigFile.sha);
  });

  it('streams a single-part body whose sha256 is known only at the end', async () => {
    const d = open('late-sha-small');
    const data = randomBytes(3 * MIB);
    const { body, digest } = hashingStream(Readable.from([data.subarray(0, MIB), data.subarray(MIB)]));
    let progress = 0;
    await d.putStream('small.bin', body, { size: data.length, sha256: digest, onProgress: (n) => (progress += n) });
    expect(progress).toBe(data.length);
    expect((await d.head('small.bin'))?.sha256).toBe(sha256(data));
    expect((await readAll(await d.get('small.bin'))).equals(data)).toBe(true);
  });

  it('streams a body of unknown length (a command output): one PUT when short, 64 MiB parts when long', async () => {
    const d = open('unknown-length');
    const small = randomBytes(5 * MIB + 3);
    const one = hashingStream(Readable.from([small.subarray(0, MIB), small.subarray(MIB)]));
    let progress = 0;
    await d.putStream('dump-small.sql', one.body, {
      size: undefined,
      sha256: one.digest,
      onProgress: (n) => (progress += n),
    });
    expect(progress).toBe(small.length);
    expect(await d.head('dump-small.sql')).toMatchObject({ size: small.length, sha256: sha256(small) });
  });

  it('refuses a body shorter or longer than its declared size', async () => {
    const d = open('size-mismatch');
    const data = randomBytes(1000);
    await expectStrataError(
      d.putStream('short.bin', Readable.from([data]), { size: 1001, sha256: sha256(data) }),
      'changed-while-reading',
    );
    await expectStrataError(
      d.putStream('long.bin', Readable.from([data]), { size: 999, sha256: sha256(data) }),
      'changed-while-reading',
    );
    const big = createReadStream(bigFile.path);
    await expectStrataError(
      d.putStream('big-short.bin', big, { size: bigFile.size + 1, sha256: bigFile.sha }),
      'changed-while-reading',
    );
    expect(await collectKeys(d, '')).toEqual([]);
  });

  it('passes the source stream error through and releases the body', async () => {
    const d = open('source-error');
    const body = new PassThrough();
    body.write(randomBytes(9 * MIB));
    setTimeout(() => body.destroy(new StrataError('io', 'the disk went away')), 50);
    const err = await expectStrataError(d.putStream('broken.bin', body, { size: 20 * MIB, sha256: 'x' }), 'io');
    expect(err.message).toBe('the disk went away');
    expect(body.destroyed).toBe(true);
  });

  it('copies server-side with unicode keys, metadata travelling', async () => {
    const d = open('copy');
    const body = randomBytes(10_000);
    await d.putBuffer('src/ünï 源 (1).txt', body, sha256(body));
    await d.copy('src/ünï 源 (1).txt', 'history/ünï 源 (1).txt/' + sha256(body));
    const info = await d.head('history/ünï 源 (1).txt/' + sha256(body));
    expect(info?.sha256).toBe(sha256(body));
    expect((await readAll(await d.get('history/ünï 源 (1).txt/' + sha256(body)))).equals(body)).toBe(true);
    expect((await readAll(await d.get('src/ünï 源 (1).txt'))).equals(body)).toBe(true);
  });

  it('copies keys with URL-reserved characters', async () => {
    const d = open('copy-reserved');
    for (const key of ['a+b&c=d.txt', '100% done?.txt', 'x#y;z:@$,.txt', "it's (fine)!*~.txt"]) {
      const body = Buffer.from(key);
      await d.putBuffer(`src/${key}`, body, sha256(body));
      await d.copy(`src/${key}`, `dst/${key}`);
      expect((await d.head(`dst/${key}`))?.sha256).toBe(sha256(body));
      expect((await readAll(await d.get(`dst/${key}`))).equals(body)).toBe(true);
    }
  });

  it('deletes in batches, ignoring missing keys', async () => {
    const d = open('delete', { deleteBatchSize: 3 });
    const keys = Array.from({ length: 8 }, (_, i) => `d/${i % 2 ? 'odd' : 'even'}/k${i}`);
    for (const k of keys) await d.putBuffer(k, Buffer.from(k), sha256(Buffer.from(k)));
    await d.putBuffer('keep/me', Buffer.from('x'), sha256(Buffer.from('x')));
    await d.delete([...keys, 'd/never-existed']);
    expect(await collectKeys(d, '')).toEqual(['keep/me']);
    await d.delete([]);
  });

  it('lists recursively with nested prefixes, paginated, relative to the destination prefix', async () => {
    const d = open('list', { listPageSize: 2 });
    const keys = ['a/1', 'a/b/2', 'a/b/c/3', 'a/b/c/d/4', 'ab/5', 'top'];
    for (const k of keys) await d.putBuffer(k, Buffer.from(k), sha256(Buffer.from(k)));
    expect(await collectKeys(d, '')).toEqual(keys);
    expect(await collectKeys(d, 'a')).toEqual(['a/1', 'a/b/2', 'a/b/c/3', 'a/b/c/d/4']);
    expect(await collectKeys(d, 'a/b/c/')).toEqual(['a/b/c/3', 'a/b/c/d/4']);
    expect(await collectKeys(d, 'nothing')).toEqual([]);
    const sizes = new Map<string, number>();
    for await (const o of d.list('a/b')) sizes.set(o.key, o.size);
    expect(sizes.get('a/b/c/d/4')).toBe('a/b/c/d/4'.length);
  });

  it('answers head with undefined and get with not-found for a missing key', async () => {
    const d = open('missing-key');
    expect(await d.head('no/such/key')).toBeUndefined();
    await expectStrataError(d.get('no/such/key'), 'not-found');
  });

  it('probes: write, read, list, delete, leaving nothing behind', async () => {
    const d = open('probe');
    const steps = await d.probe();
    expect(steps.map((s) => [s.step, s.ok])).toEqual([
      ['write', true],
      ['read', true],
      ['list', true],
      ['delete', true],
    ]);
    expect(steps.every((s) => s.ms >= 0 && s.error === undefined)).toBe(true);
    expect(await collectKeys(d, '')).toEqual([]);
  });

  it('probe with a wrong secret stops at the write step and says the secret is wrong', async () => {
    const wrong = await target.wrongSecret();
    try {
      const d = open('', {}, wrong.config, wrong.credentials);
      const steps = await d.probe();
      expect(steps).toHaveLength(1);
      expect(steps[0]).toMatchObject({ step: 'write', ok: false });
      expect(steps[0]?.error).toMatch(/secret access key is wrong/);
      expect(steps[0]?.error).not.toContain(wrong.credentials.secretAccessKey);
      await expectStrataError(d.putBuffer('x', Buffer.from('x'), 'x'), 'auth');
    } finally {
      await wrong.close();
    }
  });

  it('probe with an unknown access key id says the key id is not known', async () => {
    // 32 hex characters: the shape R2 insists on before it looks the key up.
    const credentials = {
      accessKeyId: randomBytes(16).toString('hex'),
      secretAccessKey: randomBytes(32).toString('hex'),
    };
    const d = open('', {}, { ...target.config('unknown-key'), accessKeyId: credentials.accessKeyId }, credentials);
    const steps = await d.probe();
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ step: 'write', ok: false });
    expect(steps[0]?.error).toMatch(/access key id is not known/);
  });

  it('reports a missing bucket as bucket-missing, in the probe and in every operation', async () => {
    const d = open('', {}, target.missingBucketConfig());
    const steps = await d.probe();
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ step: 'write', ok: false });
    expect(steps[0]?.error).toMatch(/does not exist/);
    const err = await expectStrataError(d.putBuffer('x', Buffer.from('x'), 'x'), 'bucket-missing');
    expect(err.hint).toMatch(/--bucket/);
    await expectStrataError(collectKeys(d, ''), 'bucket-missing');
  });

  it('sweeps unfinished multipart uploads under its prefix (0 where the server cannot list them)', async () => {
    const config = target.config('sweep');
    const d = open('sweep');
    const client = createS3Client(resolveS3Settings(config), target.credentials);
    try {
      await client.send(
        new CreateMultipartUploadCommand({ Bucket: config.bucket, Key: `${config.prefix}/orphan.bin` }),
      );
    } finally {
      client.destroy();
    }
    const removed = await d.sweep(new Date(Date.now() + 60_000));
    // s3rver answers ListMultipartUploads with NotImplemented; real providers list and abort it.
    expect(removed).toBe(target.kind === 's3rver' ? 0 : 1);
    expect(await d.sweep(new Date(Date.now() + 60_000))).toBe(0);
  });

  it('sets a late sha256 on objects above the multipart-copy threshold with UploadPartCopy', async () => {
    const d = open('part-copy', { multipartCopyThreshold: 10 * MIB, copyPartSize: 8 * MIB });
    const { body, digest } = hashingStream(createReadStream(bigFile.path));
    const put = d.putStream('copied-in-parts.bin', body, { size: bigFile.size, sha256: digest });
    if (target.kind === 's3rver') {
      // s3rver has no UploadPartCopy: the failure must be a clear error, not a silent missing hash.
      const err = await expectStrataError(put, 'config');
      expect(err.message).toMatch(/does not support/);
      return;
    }
    await put;
    expect((await d.head('copied-in-parts.bin'))?.sha256).toBe(bigFile.sha);
    expect(sha256(await readAll(await d.get('copied-in-parts.bin')))).toBe(bigFile.sha);
  });
});

describe('S3Destination through a fault-injecting proxy (s3rver)', () => {
  const BUCKET = 'faults';
  let s3rver: S3rverHarness;
  let proxy: FaultProxy;
  const delays: number[] = [];
  const opened: S3Destination[] = [];
  // Records what the retry strategy asked for, but never sleeps long.
  const sleep = (ms: number) => {
    delays.push(ms);
    return new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, 20)));
  };
  const open = (prefix: string, options: S3DestinationOptions = {}) => {
    const d = new S3Destination(s3rver.config(BUCKET, prefix, proxy.endpoint), s3rver.credentials, {
      sleep,
      baseDelayMs: 50,
      ...options,
    });
    opened.push(d);
    return d;
  };
  const requestsFor = (key: string, method?: string) =>
    proxy.log.filter((e) => decodeURIComponent(e.path).endsWith(`/${key}`) && (!method || e.method === method));
  const onKey = (key: string, method: string, extra?: (r: ProxiedRequest) => boolean) => (r: ProxiedRequest) =>
    r.method === method && decodeURIComponent(r.path).endsWith(`/${key}`) && (extra?.(r) ?? true);

  beforeAll(async () => {
    s3rver = await startS3rver([BUCKET]);
    proxy = await startFaultProxy({ target: s3rver.endpoint });
  });

  afterAll(async () => {
    await Promise.all(opened.map((d) => d.close()));
    await proxy?.stop();
    await s3rver?.stop();
  });

  it('uploads a long body of unknown length in equal 64 MiB parts, its hash recorded at the end', async () => {
    const d = open('unknown-long');
    // 150 MiB in 1 MiB pieces, as a pipe delivers them: three parts (64 + 64 + 22 MiB).
    const piece = randomBytes(MIB);
    const pieces = 150;
    const whole = createHash('sha256');
    for (let i = 0; i < pieces; i++) whole.update(piece);
    const hash = createHash('sha256');
    let hex: string | undefined;
    const body = Readable.from(
      (function* () {
        for (let i = 0; i < pieces; i++) {
          hash.update(piece);
          yield piece;
        }
        hex = hash.digest('hex');
      })(),
    );
    await d.putStream('dump.sql', body, { size: undefined, sha256: () => hex! });
    const parts = requestsFor('dump.sql', 'PUT').filter((r) => r.query.has('partNumber'));
    expect(parts.map((r) => Number(r.headers['content-length']))).toEqual([64 * MIB, 64 * MIB, 22 * MIB]);
    expect(await d.head('dump.sql')).toMatchObject({ size: pieces * MIB, sha256: whole.digest('hex') });
  });

  it('waits out 503 SlowDown for at least its Retry-After, then succeeds', async () => {
    const d = open('slowdown');
    const body = randomBytes(50_000);
    delays.length = 0;
    proxy.inject({ when: onKey('s.bin', 'PUT'), fault: { kind: 'slowdown', retryAfterSeconds: 3 }, times: 2 });
    await d.putBuffer('s.bin', body, sha256(body));
    expect(proxy.pending()).toBe(0);
    expect(requestsFor('s.bin', 'PUT')).toHaveLength(3);
    expect(delays).toHaveLength(2);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(2500);
    expect((await readAll(await d.get('s.bin'))).equals(body)).toBe(true);
  });

  it('retries 429 and 500 with backoff', async () => {
    const d = open('throttle');
    const body = randomBytes(10_000);
    delays.length = 0;
    proxy.inject(
      { when: onKey('t.bin', 'PUT'), fault: { kind: 'throttle' }, times: 2 },
      { when: onKey('t.bin', 'PUT'), fault: { kind: 'server-error', status: 500 } },
      { when: onKey('t.bin', 'GET'), fault: { kind: 'server-error', status: 502 } },
    );
    await d.putBuffer('t.bin', body, sha256(body));
    expect(requestsFor('t.bin', 'PUT')).toHaveLength(4);
    expect((await readAll(await d.get('t.bin'))).equals(body)).toBe(true);
    expect(proxy.pending()).toBe(0);
    expect(delays.length).toBe(4);
    expect(delays.every((ms) => ms >= 0 && ms <= 20_000)).toBe(true);
  });

  it('resends a request whose connection was reset mid-body', async () => {
    const d = open('reset-req');
    const body = randomBytes(3 * MIB);
    proxy.inject({ when: onKey('r.bin', 'PUT'), fault: { kind: 'reset-request', afterBytes: MIB }, times: 2 });
    await d.putBuffer('r.bin', body, sha256(body));
    expect(proxy.faults('reset-request')).toBeGreaterThanOrEqual(2);
    expect(requestsFor('r.bin', 'PUT')).toHaveLength(3);
    const back = await readAll(await d.get('r.bin'));
    expect(sha256(back)).toBe(sha256(body));
  });

  it('retries a multipart part cut mid-body and the object is intact', async () => {
    const d = open('reset-part');
    const data = randomBytes(20 * MIB);
    proxy.inject({
      when: onKey('p.bin', 'PUT', (r) => r.query.get('partNumber') === '2'),
      fault: { kind: 'reset-request', afterBytes: 3 * MIB },
    });
    const { body, digest } = hashingStream(Readable.from([data.subarray(0, 5 * MIB), data.subarray(5 * MIB)]));
    await d.putStream('p.bin', body, { size: data.length, sha256: digest });
    expect(proxy.pending()).toBe(0);
    expect(requestsFor('p.bin', 'PUT').filter((r) => r.query.get('partNumber') === '2')).toHaveLength(2);
    // Bodies go out as plain sized buffers: s3rver (and some providers) store aws-chunked framing verbatim.
    for (const r of requestsFor('p.bin', 'PUT').filter((e) => e.query.has('partNumber'))) {
      expect(r.headers['content-encoding'] ?? '').not.toMatch(/aws-chunked/);
      expect(r.headers['x-amz-content-sha256'] ?? '').not.toMatch(/^STREAMING/);
      expect(r.headers['x-amz-trailer']).toBeUndefined();
      expect(Number(r.headers['content-length'])).toBeGreaterThan(0);
    }
    expect((await d.head('p.bin'))?.sha256).toBe(sha256(data));
    expect(sha256(await readAll(await d.get('p.bin')))).toBe(sha256(data));
  });

  it('resumes a download cut mid-body with a ranged GET', async () => {
    const d = open('reset-resp');
    const body = randomBytes(4 * MIB);
    await d.putBuffer('g.bin', body, sha256(body));
    proxy.inject(
      { when: onKey('g.bin', 'GET'), fault: { kind: 'reset-response', afterBytes: MIB }, times: 2 },
      { when: onKey('g.bin', 'GET'), fault: { kind: 'reset-response', afterBytes: 0 } },
    );
    const back = await readAll(await d.get('g.bin'));
    expect(sha256(back)).toBe(sha256(body));
    const gets = requestsFor('g.bin', 'GET');
    expect(gets.length).toBeGreaterThanOrEqual(4);
    expect(gets[0]?.headers['range']).toBeUndefined();
    expect(gets[1]?.headers['range']).toMatch(/^bytes=\d+-$/);
  });

  it('retries a response that is too slow and accepts one that is merely slow', async () => {
    const d = open('slow', { socketTimeoutMs: 1000 });
    const body = randomBytes(20_000);
    proxy.inject({ when: onKey('slow.bin', 'PUT'), fault: { kind: 'slow', delayMs: 2500 } });
    await d.putBuffer('slow.bin', body, sha256(body));
    expect(requestsFor('slow.bin', 'PUT')).toHaveLength(2);
    proxy.inject({ when: onKey('slow.bin', 'GET'), fault: { kind: 'slow', delayMs: 200 } });
    expect((await readAll(await d.get('slow.bin'))).equals(body)).toBe(true);
    expect(requestsFor('slow.bin', 'GET')).toHaveLength(1);
    expect(proxy.faults('slow')).toBe(2);
  });

  it('gives up after maxAttempts with a plain-words busy error', async () => {
    const d = open('busy', { maxAttempts: 3 });
    proxy.inject({ when: onKey('busy.bin', 'PUT'), fault: { kind: 'slowdown', retryAfterSeconds: 0 }, times: 5 });
    const err = await expectStrataError(d.putBuffer('busy.bin', Buffer.from('x'), 'x'), 'busy');
    expect(err.oneLine()).toMatch(/slow down/);
    expect(requestsFor('busy.bin', 'PUT')).toHaveLength(3);
    proxy.clear();
  });

  it('fails at once, without retries, on a missing bucket', async () => {
    const d = new S3Destination(s3rver.config('no-such-bucket', '', proxy.endpoint), s3rver.credentials, { sleep });
    opened.push(d);
    const before = proxy.requests;
    await expectStrataError(d.putBuffer('x', Buffer.from('x'), 'x'), 'bucket-missing');
    expect(proxy.requests - before).toBe(1);
  });

  it('sends DeleteObjects in batches with Content-MD5 instead of CRC32 headers', async () => {
    const d = open('md5', { deleteBatchSize: 4 });
    const keys = Array.from({ length: 10 }, (_, i) => `m/${i}`);
    for (const k of keys) await d.putBuffer(k, Buffer.from(k), sha256(Buffer.from(k)));
    const before = proxy.log.length;
    await d.delete(keys);
    const deletes = proxy.log.slice(before).filter((e) => e.method === 'POST' && e.query.has('delete'));
    // One request per batch (a retried batch carries the same body, hence the same MD5).
    expect(new Set(deletes.map((r) => r.headers['content-md5'])).size).toBe(3);
    for (const req of deletes) {
      expect(req.headers['content-md5']).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(Object.keys(req.headers).filter((h) => h.startsWith('x-amz-checksum-'))).toEqual([]);
    }
    expect(await collectKeys(d, '')).toEqual([]);
  });

  it('adds Content-MD5 to uploads once a bucket with Object Lock asks for it', async () => {
    const d = open('object-lock');
    const body = (k: string) => Buffer.from(`content of ${k}`);
    await d.putBuffer('before', body('before'), sha256(body('before')));
    proxy.inject({
      fault: {
        kind: 'error',
        status: 400,
        code: 'InvalidRequest',
        message:
          'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters',
      },
      when: (r) => r.method === 'PUT',
    });
    const mark = proxy.log.length;
    await d.putBuffer('locked', body('locked'), sha256(body('locked')));
    await d.putBuffer('after', body('after'), sha256(body('after')));
    const puts = proxy.log.slice(mark).filter((e) => e.method === 'PUT');
    expect(puts.map((p) => p.fault ?? 'ok')).toEqual(['error', 'ok', 'ok']);
    expect(puts[0]!.headers['content-md5']).toBeUndefined();
    for (const p of puts.slice(1)) expect(p.headers['content-md5']).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect((await readAll(await d.get('locked'))).toString()).toBe('content of locked');
    const first = proxy.log
      .slice(0, mark)
      .filter((e) => e.method === 'PUT')
      .at(-1)!;
    expect(first.headers['content-md5']).toBeUndefined();
  });

  it('falls back to one DeleteObject per key when DeleteObjects is not implemented', async () => {
    const d = open('delete-fallback', { deleteBatchSize: 2 });
    const keys = Array.from({ length: 5 }, (_, i) => `f/${i}`);
    for (const k of keys) await d.putBuffer(k, Buffer.from(k), sha256(Buffer.from(k)));
    proxy.inject({ when: (r) => r.method === 'POST' && r.query.has('delete'), fault: { kind: 'not-implemented' } });
    const before = proxy.log.length;
    await d.delete([...keys, 'f/missing']);
    const seen = proxy.log.slice(before);
    expect(seen.filter((e) => e.method === 'POST')).toHaveLength(1);
    expect(seen.filter((e) => e.method === 'DELETE')).toHaveLength(6);
    expect(await collectKeys(d, '')).toEqual([]);
  });

  it('keeps data intact under a mix of faults across many writes', async () => {
    const d = open('mixed', { concurrency: 8 });
    const bodies = Array.from({ length: 24 }, (_, i) => randomBytes(1000 + i * 3000));
    proxy.inject(
      { when: (r) => r.method === 'PUT', fault: { kind: 'slowdown', retryAfterSeconds: 1 }, times: 3 },
      { when: (r) => r.method === 'PUT', fault: { kind: 'throttle' }, times: 3 },
      { when: (r) => r.method === 'PUT', fault: { kind: 'reset-request', afterBytes: 2000 }, times: 3 },
      { when: (r) => r.method === 'PUT', fault: { kind: 'reset-response' }, times: 3 },
    );
    await Promise.all(bodies.map((b, i) => d.putBuffer(`obj/${i}`, b, sha256(b))));
    expect(proxy.pending()).toBe(0);
    for (const [i, b] of bodies.entries()) {
      expect((await d.head(`obj/${i}`))?.sha256).toBe(sha256(b));
      expect(sha256(await readAll(await d.get(`obj/${i}`)))).toBe(sha256(b));
    }
  });
});
