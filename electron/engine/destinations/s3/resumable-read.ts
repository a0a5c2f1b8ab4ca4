import { Readable } from 'node:stream';
import { isRetryableError, retryDelayMs, type RetryPolicy } from './client.js';

export interface ResumableReadInput {
  /** The first response body. */
  body: Readable;
  /** Object size from the first response, to notice a body that ends early. */
  size: number | undefined;
  /** Opens the rest of the same object version from `offset`. */
  reopen: (offset: number) => Promise<Readable>;
  policy: RetryPolicy;
  /** Turns the final failure into a user-facing error. */
  mapError: (err: unknown) => unknown;
}

/**
 * The SDK retries a request until its response headers arrive; a connection cut while the body
 * streams reaches the reader instead. This picks the download up where it broke (a ranged GET
 * pinned to the same ETag), so a long restore survives resets and idle timeouts.
 */
export function resumableRead(input: ResumableReadInput): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    let body = input.body;
    let offset = 0;
    let failures = 0;
    let offsetAtLastFailure = -1;
    for (;;) {
      try {
        for await (const chunk of body) {
          const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
          offset += buf.length;
          yield buf;
        }
        if (input.size === undefined || offset >= input.size) return;
        throw Object.assign(new Error(`the download ended after ${offset} of ${input.size} bytes`), {
          code: 'ERR_STREAM_PREMATURE_CLOSE',
        });
      } catch (err) {
        body.destroy();
        // Progress since the last failure earns a fresh set of attempts.
        failures = offset > offsetAtLastFailure ? 1 : failures + 1;
        offsetAtLastFailure = offset;
        if (!isRetryableError(err) || failures >= input.policy.maxAttempts) throw input.mapError(err);
        await input.policy.sleep(retryDelayMs(failures - 1, input.policy));
        body = await input.reopen(offset);
      }
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}
