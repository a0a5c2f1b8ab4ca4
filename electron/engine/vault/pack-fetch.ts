/**
 * Reading packs from a destination. The Destination interface has no ranged read yet, so a pack is
 * fetched whole; the header lookup still goes through the two-step tail logic a ranged read would
 * use (last PACK_TAIL_READ bytes, then exactly the header if it is longer), so only
 * `readPackTail` changes when a ranged read arrives.
 */
import { constants } from 'node:buffer';
import { StrataError } from '../../../shared/errors.js';
import type { Destination } from '../destinations/types.js';
import { readAll } from '../transfer/read-all.js';
import type { BlobCodec } from './codec.js';
import { isNeedMore, packKey, PACK_TAIL_READ, readPackHeader, type PackEntry } from './pack-format.js';

/** A whole object in memory (packs and index files are a few MiB). */
export async function readObject(dest: Destination, key: string): Promise<Buffer> {
  return readAll(await dest.get(key), constants.MAX_LENGTH);
}

/** The last `bytes` of a pack and the pack's size. Today: the whole pack, sliced. */
async function readPackTail(
  dest: Destination,
  key: string,
  bytes: number,
  whole?: Buffer,
): Promise<{ tail: Buffer; size: number; whole: Buffer }> {
  const all = whole ?? (await readObject(dest, key));
  return { tail: all.subarray(Math.max(0, all.length - bytes)), size: all.length, whole: all };
}

/** A pack's header entries, read from the destination. Throws StrataError('corrupt') naming the pack when damaged. */
export async function fetchPackHeader(dest: Destination, codec: BlobCodec, packId: string): Promise<PackEntry[]> {
  const key = packKey(packId);
  const name = `pack ${key} in ${dest.label}`;
  const first = await readPackTail(dest, key, PACK_TAIL_READ);
  let r = readPackHeader(first.tail, codec, first.size, name);
  if (isNeedMore(r)) {
    const second = await readPackTail(dest, key, r.need, first.whole);
    r = readPackHeader(second.tail, codec, second.size, name);
    if (isNeedMore(r))
      throw new StrataError('internal', `${name}: header still incomplete after reading ${r.need} bytes`);
  }
  return r;
}
