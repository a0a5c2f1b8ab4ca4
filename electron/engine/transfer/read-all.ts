import type { Readable } from 'node:stream';
import { StrataError } from '../../../shared/errors.js';

/** Reads a small stream into memory, refusing more than `limit` bytes (a guard against odd objects). */
export async function readAll(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    total += buf.length;
    if (total > limit) {
      stream.destroy();
      throw new StrataError('corrupt', `object is larger than the expected ${limit} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, total);
}
