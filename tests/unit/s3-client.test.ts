import { S3ServiceException } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import {
  StrataRetryStrategy,
  isRetryableError,
  retryDelayMs,
  retryPolicy,
} from '../../electron/engine/destinations/s3/client.js';
import { copyPartRanges, encodeCopySource, runPool } from '../../electron/engine/destinations/s3/multipart-copy.js';
import { partSizeFor } from '../../electron/engine/destinations/s3/s3-destination.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

const service = (name: string, status: number) =>
  new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });
const node = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('retry classification', () => {
  it('retries throttling, 5xx (not 501), resets and timeouts', () => {
    for (const err of [
      service('SlowDown', 503),
      service('TooManyRequests', 429),
      service('InternalError', 500),
      service('BadGateway', 502),
      service('GatewayTimeout', 504),
      service('RequestTimeout', 400),
      node('ECONNRESET'),
      node('EPIPE'),
      node('ETIMEDOUT'),
      new Error('socket hang up'),
      Object.assign(new Error('timeout'), { name: 'TimeoutError' }),
      Object.assign(service('SignatureDoesNotMatch', 403), {
        $metadata: { httpStatusCode: 403, clockSkewCorrected: true },
      }),
    ]) {
      expect(isRetryableError(err), String((err as Error).name + ' ' + (err as Error).message)).toBe(true);
    }
  });

  it('fails configuration errors at once', () => {
    for (const err of [
      service('NotImplemented', 501),
      service('AccessDenied', 403),
      service('InvalidAccessKeyId', 403),
      service('SignatureDoesNotMatch', 403),
      service('NoSuchBucket', 404),
      service('RequestTimeTooSkewed', 403),
      node('ENOTFOUND'),
      node('DEPTH_ZERO_SELF_SIGNED_CERT'),
      Object.assign(new Error('aborted'), { name: 'AbortError' }),
      undefined,
    ]) {
      expect(isRetryableError(err)).toBe(false);
    }
  });
});

describe('backoff', () => {
  const policy = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000, random: () => 0.999 });

  it('grows exponentially under full jitter, up to the cap', () => {
    expect([0, 1, 2, 3, 4, 10].map((n) => retryDelayMs(n, policy))).toEqual([99, 199, 399, 799, 999, 999]);
    const zero = retryPolicy({ baseDelayMs: 100, random: () => 0 });
    expect(retryDelayMs(5, zero)).toBe(0);
  });

  it('waits at least Retry-After, up to its own cap', () => {
    expect(retryDelayMs(0, policy, 3000)).toBe(3000);
    expect(retryDelayMs(0, policy, 60_000)).toBe(5000);
    expect(retryDelayMs(3, policy, 10)).toBe(799);
  });
});

describe('StrataRetryStrategy', () => {
  it('sleeps through the injected sleep and stops after maxAttempts', async () => {
    const slept: number[] = [];
    const strategy = new StrataRetryStrategy(
      retryPolicy({ maxAttempts: 3, baseDelayMs: 100, random: () => 0.5, sleep: async (ms) => void slept.push(ms) }),
    );
    const error = service('SlowDown', 503);
    let token = await strategy.acquireInitialRetryToken();
    token = await strategy.refreshRetryTokenForRetry(token, { error });
    expect(token.getRetryCount()).toBe(1);
    expect(token.getRetryDelay()).toBe(0);
    token = await strategy.refreshRetryTokenForRetry(token, { error, retryAfterHint: new Date(Date.now() + 2000) });
    await expect(strategy.refreshRetryTokenForRetry(token, { error })).rejects.toThrow();
    expect(slept[0]).toBe(50);
    expect(slept[1]).toBeGreaterThan(1900);
    expect(slept).toHaveLength(2);
  });

  it('does not retry a configuration error', async () => {
    const strategy = new StrataRetryStrategy(retryPolicy({ sleep: async () => undefined }));
    const token = await strategy.acquireInitialRetryToken();
    await expect(strategy.refreshRetryTokenForRetry(token, { error: service('NoSuchBucket', 404) })).rejects.toThrow();
  });
});

describe('part sizes and copy ranges', () => {
  it('partSize = max(8 MiB, ceil(size / 9000))', () => {
    expect(partSizeFor(0)).toBe(8 * MIB);
    expect(partSizeFor(70 * GIB)).toBe(8 * MIB);
    expect(partSizeFor(200 * GIB)).toBe(Math.ceil((200 * GIB) / 9000));
    expect(Math.ceil((5 * 1024 * GIB) / partSizeFor(5 * 1024 * GIB))).toBeLessThanOrEqual(9000);
  });

  it('copy ranges cover the object exactly, within S3 part limits', () => {
    for (const [size, preferred] of [
      [6 * GIB, 512 * MIB],
      [5 * GIB + 1, 512 * MIB],
      [25 * MIB + 7, 8 * MIB],
      [5 * 1024 * GIB, 512 * MIB],
      [10 * MIB, 1],
    ] as const) {
      const ranges = copyPartRanges(size, preferred);
      expect(ranges[0]?.start).toBe(0);
      expect(ranges.at(-1)?.end).toBe(size - 1);
      expect(ranges.length).toBeLessThanOrEqual(10_000);
      for (let i = 1; i < ranges.length; i++) expect(ranges[i]?.start).toBe((ranges[i - 1]?.end ?? 0) + 1);
      for (const r of ranges.slice(0, -1)) expect(r.end - r.start + 1).toBeGreaterThanOrEqual(5 * MIB);
    }
    expect(copyPartRanges(6 * GIB, 512 * MIB)).toHaveLength(12);
  });

  it('encodes copy sources as UTF-8 percent-escapes, keeping the slashes', () => {
    expect(encodeCopySource('bkt', 'a b/ü 源/x+y&z=1?#(1)!.txt')).toBe(
      'bkt/a%20b/%C3%BC%20%E6%BA%90/x%2By%26z%3D1%3F%23%281%29%21.txt',
    );
    expect(decodeURIComponent(encodeCopySource('bkt', 'snap/🎉.json'))).toBe('bkt/snap/🎉.json');
  });

  it('runPool keeps to its limit and stops on the first failure', async () => {
    let active = 0;
    let peak = 0;
    const seen: number[] = [];
    await runPool([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5));
      seen.push(n);
      active--;
    });
    expect(peak).toBe(3);
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const started: number[] = [];
    await expect(
      runPool([1, 2, 3, 4, 5, 6], 2, async (n) => {
        started.push(n);
        if (n === 2) throw new Error('boom');
        await new Promise((r) => setTimeout(r, 5));
      }),
    ).rejects.toThrow('boom');
    expect(started.length).toBeLessThan(6);
  });
});
