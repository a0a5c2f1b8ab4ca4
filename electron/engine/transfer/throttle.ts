import { Transform, type Readable } from 'node:stream';

/**
 * A token bucket shared by every upload of a run, so the user's bandwidth limit holds across
 * all files and destinations together. Bursts up to one second's worth.
 */
export class Throttle {
  private tokens: number;
  private last = Date.now();

  constructor(private readonly bytesPerSecond: number) {
    this.tokens = bytesPerSecond;
  }

  /** Waits until `bytes` may be sent. */
  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    let left = bytes;
    while (left > 0) {
      this.refill();
      const grant = Math.min(left, Math.max(0, this.tokens), this.bytesPerSecond);
      if (grant > 0) {
        this.tokens -= grant;
        left -= grant;
        continue;
      }
      if (signal?.aborted) return;
      const wait = Math.ceil((Math.min(left, this.bytesPerSecond) / this.bytesPerSecond) * 1000);
      await new Promise((r) => setTimeout(r, Math.min(wait, 250)));
    }
  }

  /** A stream passing `body` through at the limit. */
  pace(body: Readable): Readable {
    const out = new Transform({
      transform: (chunk: Buffer, _enc, done) => {
        this.take(chunk.length).then(() => done(null, chunk), done);
      },
    });
    body.on('error', (err) => out.destroy(err));
    return body.pipe(out);
  }

  private refill(): void {
    const t = Date.now();
    this.tokens = Math.min(this.bytesPerSecond, this.tokens + ((t - this.last) / 1000) * this.bytesPerSecond);
    this.last = t;
  }
}
