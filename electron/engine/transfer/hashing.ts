import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A pass-through that hashes what flows through it, so hashing never needs its own read. */
export class HashingStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private hex: string | undefined;
  bytes = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    this.hex = this.hash.digest('hex');
    cb();
  }

  /** The SHA-256 of everything that passed; only valid after the stream ended. */
  digest(): string {
    if (this.hex === undefined) throw new Error('digest() before the stream ended');
    return this.hex;
  }
}
