import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StrataError } from '../../shared/errors.js';
import { LocalDestination } from '../../electron/engine/destinations/local-destination.js';
import { createS3Client } from '../../electron/engine/destinations/s3/client.js';
import { resolveS3Settings } from '../../electron/engine/destinations/s3/presets.js';
import { S3Destination } from '../../electron/engine/destinations/s3/s3-destination.js';
import { MAX_RANGE_BYTES, type Destination } from '../../electron/engine/destinations/types.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { openS3Target, realTargetFromEnv } from '../support/s3-target.js';
import { startS3rver, type S3rverHarness } from '../support/s3rver.js';

const MIB = 1024 * 1024;
const KEY = 'packs/ab/range.bin';

async function expectStrataError(promise: Promise<unknown>, code: StrataError['code']): Promise<StrataError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StrataError);
  expect((err as StrataError).code).toBe(code);
  return err as StrataError;
}

interface Backend {
  dest: Destination;
  /** s3rver hangs on a ranged GET of an empty object (see the test that skips it). */
  isS3rver: boolean;
  close(): Promise<void>;
}

/** The same checks against each store: the semantics of Destination.getRange do not depend on it. */
function rangeSuite(name: string, open: () => Promise<Backend>): void {
  describe(`getRange on ${name}`, () => {
    let backend: Backend;
    let dest: Destination;
    // Several MiB, so a range spans many disk reads and HTTP chunks.
    const data = randomBytes(5 * MIB + 17);
    const size = data.length;

    beforeAll(async () => {
      backend = await open();
      dest = backend.dest;
      await dest.putBuffer(KEY, data, 'x');
    });
    afterAll(async () => {
      await backend?.close();
    });

    it('reads the first bytes, a middle range and the last byte', async () => {
      expect((await dest.getRange(KEY, 0, 1)).equals(data.subarray(0, 1))).toBe(true);
      expect((await dest.getRange(KEY, 0, 1000)).equals(data.subarray(0, 1000))).toBe(true);
      const mid = await dest.getRange(KEY, MIB + 3, 4 * MIB + 7);
      expect(mid.length).toBe(3 * MIB + 4);
      expect(mid.equals(data.subarray(MIB + 3, 4 * MIB + 7))).toBe(true);
      expect((await dest.getRange(KEY, size - 1, size)).equals(data.subarray(size - 1))).toBe(true);
    });

    it('reads into a buffer handed in (reused memory), short where the object ends', async () => {
      const into = Buffer.alloc(4 * MIB, 0xee);
      const got = await dest.getRange(KEY, MIB + 5, 3 * MIB + 9, into);
      expect(got.equals(data.subarray(MIB + 5, 3 * MIB + 9))).toBe(true);
      expect(got.buffer).toBe(into.buffer);
      expect(got.byteOffset).toBe(into.byteOffset);
      // Past the end: the bytes there, in the same buffer.
      const tail = await dest.getRange(KEY, size - 100, size + MIB, into);
      expect(tail.equals(data.subarray(size - 100))).toBe(true);
      expect(tail.buffer).toBe(into.buffer);
      // Too small a buffer is not written past: the bytes come in one of the destination's own.
      const small = Buffer.alloc(10, 0xee);
      const big = await dest.getRange(KEY, 0, 100, small);
      expect(big.equals(data.subarray(0, 100))).toBe(true);
      expect(small.equals(Buffer.alloc(10, 0xee))).toBe(true);
    });

    it('clamps an end past the size to the end of the object', async () => {
      expect((await dest.getRange(KEY, size - 10, size + 1000)).equals(data.subarray(size - 10))).toBe(true);
      expect((await dest.getRange(KEY, 0, size + MIB)).equals(data)).toBe(true);
    });

    it('gives an empty buffer for a start at or past the end, and for an empty range', async () => {
      expect((await dest.getRange(KEY, size, size + 10)).length).toBe(0);
      expect((await dest.getRange(KEY, size, size)).length).toBe(0);
      expect((await dest.getRange(KEY, size + 5, size + 10)).length).toBe(0);
      expect((await dest.getRange(KEY, 3, 3)).length).toBe(0);
    });

    it('a missing key is not-found, also for an empty range', async () => {
      await expectStrataError(dest.getRange('packs/ab/missing', 0, 10), 'not-found');
      await expectStrataError(dest.getRange('packs/ab/missing', 0, 0), 'not-found');
      await expectStrataError(dest.getRange('no/such/folder/x', 5, 6), 'not-found');
    });

    it('refuses a range over the cap, and reversed, negative or fractional ranges', async () => {
      const err = await expectStrataError(dest.getRange(KEY, 0, MAX_RANGE_BYTES + 1), 'too-large');
      expect(err.message).toContain(String(MAX_RANGE_BYTES));
      expect(err.hint).toBeTruthy();
      await expectStrataError(dest.getRange(KEY, 10, 10 + MAX_RANGE_BYTES + 1), 'too-large');
      // Exactly the cap is allowed (and clamped to the object).
      expect((await dest.getRange(KEY, 0, MAX_RANGE_BYTES)).equals(data)).toBe(true);
      await expectStrataError(dest.getRange(KEY, 10, 9), 'internal');
      await expectStrataError(dest.getRange(KEY, -1, 3), 'internal');
      await expectStrataError(dest.getRange(KEY, 0.5, 3), 'internal');
    });

    it('reads an empty object as empty', async (ctx) => {
      // s3rver answers a ranged GET of an empty object with Content-Length 1 and no body, and the
      // request hangs; S3 answers 416, which getRange turns into an empty buffer.
      if (backend.isS3rver) {
        console.log('skipped on s3rver: a ranged GET of an empty object hangs there (runs on local disk and real S3)');
        ctx.skip();
      }
      await dest.putBuffer('empty', Buffer.alloc(0), 'x');
      expect((await dest.getRange('empty', 0, 10)).length).toBe(0);
      expect((await dest.getRange('empty', 0, 0)).length).toBe(0);
    });
  });
}

rangeSuite('a local disk', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'strata-range-'));
  return {
    dest: new LocalDestination(dir),
    isS3rver: false,
    close: () => rm(dir, { recursive: true, force: true }),
  };
});

rangeSuite(realTargetFromEnv() ? 'a real S3 bucket' : 's3rver', async () => {
  const target = await openS3Target();
  const dest = new S3Destination(target.config('range'), target.credentials, { baseDelayMs: 20, maxDelayMs: 500 });
  return {
    dest,
    isS3rver: target.kind === 's3rver',
    close: async () => {
      await dest.close();
      await target.cleanup();
    },
  };
});

/** Forwards to `target` without the Range header: a server that ignores ranges (it answers 200, whole object). */
async function startRangeStripper(target: string): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const up = new URL(target);
  const server: Server = createServer((req, res) => {
    const headers = { ...req.headers };
    delete headers['range'];
    const out = httpRequest(
      { host: up.hostname, port: up.port, method: req.method, path: req.url, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('S3 getRange against s3rver quirks and faults', () => {
  const BUCKET = 'ranges';
  let s3rver: S3rverHarness;
  let proxy: FaultProxy;
  const opened: S3Destination[] = [];
  const open = (endpoint: string, prefix: string) => {
    const d = new S3Destination(s3rver.config(BUCKET, prefix, endpoint), s3rver.credentials, {
      baseDelayMs: 20,
      maxDelayMs: 200,
    });
    opened.push(d);
    return d;
  };

  beforeAll(async () => {
    s3rver = await startS3rver([BUCKET]);
    proxy = await startFaultProxy({ target: s3rver.endpoint });
  });
  afterAll(async () => {
    await Promise.all(opened.map((d) => d.close()));
    await proxy?.stop();
    await s3rver?.stop();
  });

  it('s3rver answers bytes=0-0 with the whole object; getRange still returns the one byte asked for', async () => {
    const d = open(s3rver.endpoint, 'zero');
    const data = randomBytes(10_000);
    await d.putBuffer('z.bin', data, 'x');
    // The quirk itself, so this test notices when s3rver changes: it reads "0-0" as "0-".
    const client = createS3Client(resolveS3Settings(s3rver.config(BUCKET, 'zero')), s3rver.credentials, {});
    try {
      const raw = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'zero/z.bin', Range: 'bytes=0-0' }));
      expect(raw.ContentRange).toBe(`bytes 0-${data.length - 1}/${data.length}`);
      await raw.Body?.transformToByteArray();
    } finally {
      client.destroy();
    }
    expect((await d.getRange('z.bin', 0, 1)).equals(data.subarray(0, 1))).toBe(true);
    expect((await d.getRange('z.bin', 1, 2)).equals(data.subarray(1, 2))).toBe(true);
  });

  it('a server that ignores Range (200, whole object): the bytes asked for still come back', async () => {
    const writer = open(s3rver.endpoint, 'ignored');
    const data = randomBytes(2 * MIB + 5);
    await writer.putBuffer('i.bin', data, 'x');
    const stripper = await startRangeStripper(s3rver.endpoint);
    try {
      const d = open(stripper.endpoint, 'ignored');
      expect((await d.getRange('i.bin', MIB + 1, MIB + 1001)).equals(data.subarray(MIB + 1, MIB + 1001))).toBe(true);
      expect((await d.getRange('i.bin', data.length - 3, data.length + 10)).equals(data.subarray(-3))).toBe(true);
      expect((await d.getRange('i.bin', data.length + 1, data.length + 10)).length).toBe(0);
    } finally {
      await stripper.stop();
    }
  });

  it('a range cut mid-body resumes from where it broke, pinned to the version first read', async () => {
    const d = open(proxy.endpoint, 'cut');
    const data = randomBytes(4 * MIB);
    await d.putBuffer('c.bin', data, 'x');
    const start = 100;
    const end = 3 * MIB + 100;
    proxy.inject({
      when: (r) => r.method === 'GET' && decodeURIComponent(r.path).endsWith('/c.bin'),
      fault: { kind: 'reset-response', afterBytes: MIB },
    });
    expect((await d.getRange('c.bin', start, end)).equals(data.subarray(start, end))).toBe(true);
    const gets = proxy.log.filter((e) => e.method === 'GET' && decodeURIComponent(e.path).endsWith('/c.bin'));
    expect(gets.length).toBe(2);
    expect(gets[0]?.headers['range']).toBe(`bytes=${start}-${end - 1}`);
    const resumed = /^bytes=(\d+)-(\d+)$/.exec(String(gets[1]?.headers['range']));
    expect(Number(resumed?.[1])).toBeGreaterThan(start);
    expect(Number(resumed?.[2])).toBe(end - 1);
    expect(gets[1]?.headers['if-match']).toBeTruthy();
  });

  it('maps a missing bucket like get does', async () => {
    const d = new S3Destination(s3rver.config('no-such-bucket-here', ''), s3rver.credentials);
    opened.push(d);
    await expectStrataError(d.getRange('x', 0, 10), 'bucket-missing');
  });
});
