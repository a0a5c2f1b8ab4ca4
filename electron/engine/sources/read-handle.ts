import type { ReadHandle } from './types.js';

/** A whole streamed read in memory, once the source confirmed it did not change while read. */
export async function readAllChecked(handle: ReadHandle): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of handle.stream) chunks.push(c as Buffer);
  await handle.unchanged();
  return Buffer.concat(chunks);
}
