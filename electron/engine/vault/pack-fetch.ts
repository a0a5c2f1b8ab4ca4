/**
 * Reading packs from a destination with ranged reads, so a 16 MiB pack is never downloaded to get
 * one blob or its header: the header is the pack's last bytes (PACK_TAIL_READ, then exactly the
 * missing front of the header if it is longer), a blob is [offset, offset + length).
 */
import { constants } from 'node:buffer';
import { StrataError } from '../../../shared/errors.js';
import type { Destination } from '../destinations/types.js';
import { readAll } from '../transfer/read-all.js';
import type { BlobCodec } from './codec.js';
import { isNeedMore, packKey, PACK_TAIL_READ, readPackHeader, type PackEntry } from './pack-format.js';

/** A whole object in memory (index files are a few MiB). */
export async function readObject(dest: Destination, key: string): Promise<Buffer> {
  return readAll(await dest.get(key), constants.MAX_LENGTH);
}

/**
 * Bytes [start, end) of a pack; fewer when the pack ends before `end` (a truncated pack: the caller
 * says which blob that damages). A missing pack is StrataError('not-found'). `into` may hold them
 * (Destination.getRange).
 */
export function readPackRange(
  dest: Destination,
  packId: string,
  start: number,
  end: number,
  into?: Buffer,
): Promise<Buffer> {
  return dest.getRange(packKey(packId), start, end, into);
}

/**
 * A pack's header entries, read from the destination. `size` is the pack's size when the caller
 * already knows it (a listing); otherwise a HEAD asks. Throws StrataError('corrupt') naming the pack
 * when damaged, StrataError('not-found') when it is missing.
 */
export async function fetchPackHeader(
  dest: Destination,
  codec: BlobCodec,
  packId: string,
  size?: number,
): Promise<PackEntry[]> {
  const key = packKey(packId);
  const name = `pack ${key} in ${dest.label}`;
  const packSize = size ?? (await dest.head(key))?.size;
  if (packSize === undefined) throw new StrataError('not-found', `${key} is not in ${dest.label}`);
  // Reads exactly [from, to) or fails: a short read means the pack is shorter than its listed size.
  const read = async (from: number, to: number): Promise<Buffer> => {
    const got = await dest.getRange(key, from, to);
    if (got.length !== to - from) {
      throw new StrataError(
        'corrupt',
        `${name} is truncated or damaged: listed as ${packSize} bytes but it ends at byte ${from + got.length}`,
        'run a verify; the snapshots that use it need this content backed up again',
      );
    }
    return got;
  };
  const tail = await read(Math.max(0, packSize - PACK_TAIL_READ), packSize);
  let r = readPackHeader(tail, codec, packSize, name);
  if (isNeedMore(r)) {
    // Only the front of the header is missing: the tail already read is reused.
    const front = await read(packSize - r.need, packSize - tail.length);
    r = readPackHeader(Buffer.concat([front, tail]), codec, packSize, name);
    if (isNeedMore(r))
      throw new StrataError('internal', `${name}: header still incomplete after reading ${r.need} bytes`);
  }
  return r;
}
