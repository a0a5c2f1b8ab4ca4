/**
 * The first phase of a collection writes what it found unused as a collection marker
 * (collections/<random>): the packs it condemns. Backups that start later read the markers and
 * never build on a condemned pack; a later collection deletes the packs once every backup that
 * began before the marker has ended (vault/collect.ts). The marker's time is its lastModified, in
 * the destination's clock, never rewritten.
 *
 * Marker body (sealed as kind 'collection', context = the marker's key): JSON { packs: [packId…] }.
 */
import { randomBytes } from 'node:crypto';
import { StrataError } from '../../../shared/errors.js';
import type { Destination } from '../destinations/types.js';
import type { BlobCodec } from './codec.js';
import { readObject } from './pack-fetch.js';
import { isBlobId, sha256Hex } from './pack-format.js';

export const COLLECTIONS_PREFIX = 'collections/';

export interface CollectionMarker {
  key: string;
  /** When it was written, in the destination's clock (ms). */
  markedAt: number;
  packs: string[];
}

export async function writeCollectionMarker(dest: Destination, codec: BlobCodec, packs: string[]): Promise<string> {
  const key = `${COLLECTIONS_PREFIX}${randomBytes(16).toString('hex')}`;
  const sealed = codec.encode(Buffer.from(JSON.stringify({ packs })), 'collection', key);
  await dest.putBuffer(key, sealed, sha256Hex(sealed));
  return key;
}

/**
 * Every collection marker. One that cannot be read is an error: what it condemns is unknown, so
 * neither a backup nor a collection may go on as if it were not there.
 */
export async function readCollectionMarkers(dest: Destination, codec: BlobCodec): Promise<CollectionMarker[]> {
  const out: CollectionMarker[] = [];
  for await (const o of dest.list(COLLECTIONS_PREFIX)) {
    if (!/^collections\/[0-9a-f]{32}$/.test(o.key)) continue;
    let stored: Buffer;
    try {
      stored = await readObject(dest, o.key);
    } catch (err) {
      if (err instanceof StrataError && err.code === 'not-found') continue; // a collection finished with it
      throw err;
    }
    const damaged = (why: string): StrataError =>
      new StrataError(
        'corrupt',
        `collection marker ${o.key} in ${dest.label} is damaged: ${why}`,
        `delete ${o.key} from the destination; the next prune marks unused packs again`,
      );
    let body: unknown;
    try {
      body = JSON.parse(codec.decode(stored, 'collection', o.key).toString('utf8'));
    } catch (err) {
      if (err instanceof StrataError && err.code !== 'corrupt') throw err;
      throw damaged(err instanceof Error ? err.message : String(err));
    }
    const packs = (body as { packs?: unknown }).packs;
    if (!Array.isArray(packs) || !packs.every((p): p is string => typeof p === 'string' && isBlobId(p))) {
      throw damaged('it does not list pack ids');
    }
    // No time, no proof of age: such a marker is never old enough to act on.
    out.push({ key: o.key, markedAt: o.lastModified?.getTime() ?? Number.POSITIVE_INFINITY, packs });
  }
  return out.sort((a, b) => a.markedAt - b.markedAt);
}
