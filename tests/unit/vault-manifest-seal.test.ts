/**
 * Segmented sealing of vault manifests: the streaming sealer and the in-memory one agree byte for
 * byte in layout, every size round-trips through the streaming opener, and moving, dropping,
 * duplicating, cutting or extending frames, or a flipped byte, fails with 'corrupt'. A manifest
 * sealed whole (before segmenting) still opens.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createCodec } from '../../electron/engine/vault/blob-codec.js';
import {
  ManifestOpener,
  ManifestSealer,
  SEGMENT_BYTES,
  sealManifest,
} from '../../electron/engine/vault/manifest-seal.js';
import { readAll } from '../../electron/engine/transfer/read-all.js';

const codec = createCodec({ encryptionKey: randomBytes(32), idKey: randomBytes(32), keyId: '0123456789abcdef' });
const KEY = 'snapshots/src/20261202T000000.000Z-0a0b0c0d.json.gz';

async function sealStreaming(plain: Buffer, piece = 65_536): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < plain.length; i += piece) parts.push(plain.subarray(i, i + piece));
  return readAll(Readable.from(parts).pipe(new ManifestSealer(codec, KEY)), 1 << 30);
}

async function open(stored: Buffer, piece = 100_003): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < stored.length; i += piece) parts.push(stored.subarray(i, i + piece));
  return readAll(Readable.from(parts).pipe(new ManifestOpener(codec, KEY, 1 << 30)), 1 << 30);
}

/** Frames of a stored manifest: [magic, ...frames (length prefix included)]. */
function frames(stored: Buffer): Buffer[] {
  const out = [stored.subarray(0, 4)];
  for (let at = 4; at < stored.length;) {
    const n = stored.readUInt32BE(at);
    out.push(stored.subarray(at, at + 4 + n));
    at += 4 + n;
  }
  return out;
}

describe('segmented manifest sealing', () => {
  it.each([0, 1, 1000, SEGMENT_BYTES - 1, SEGMENT_BYTES, SEGMENT_BYTES + 1, 2 * SEGMENT_BYTES, 9 * 1024 * 1024 + 7])(
    'round-trips %i bytes, streaming and in memory alike',
    async (size) => {
      const plain = randomBytes(size);
      const streamed = await sealStreaming(plain);
      const inMemory = sealManifest(codec, KEY, plain);
      // Nonces differ, the layout does not.
      expect(frames(streamed).map((f) => f.length)).toEqual(frames(inMemory).map((f) => f.length));
      expect(frames(streamed)).toHaveLength(1 + Math.max(1, Math.ceil(size / SEGMENT_BYTES)));
      expect((await open(streamed)).equals(plain)).toBe(true);
      expect((await open(inMemory, 7)).equals(plain)).toBe(true);
    },
  );

  it('refuses frames moved, dropped, duplicated, cut, extended or flipped, and one from another manifest', async () => {
    const plain = randomBytes(2 * SEGMENT_BYTES + 500);
    const stored = sealManifest(codec, KEY, plain);
    const [magic, a, b, c] = frames(stored) as [Buffer, Buffer, Buffer, Buffer];
    const flipped = Buffer.from(stored);
    flipped[SEGMENT_BYTES + 100] = flipped[SEGMENT_BYTES + 100]! ^ 1;
    const cases: [string, Buffer][] = [
      ['swapped', Buffer.concat([magic, b, a, c])],
      ['last dropped', Buffer.concat([magic, a, b])],
      ['middle dropped', Buffer.concat([magic, a, c])],
      ['duplicated', Buffer.concat([magic, a, a, b, c])],
      ['cut inside a frame', stored.subarray(0, stored.length - 10)],
      ['extended after the last', Buffer.concat([stored, a])],
      ['trailing bytes', Buffer.concat([stored, Buffer.from([1, 2])])],
      ['flipped', flipped],
      ['empty', Buffer.alloc(0)],
      ['from another manifest', sealManifest(codec, `${KEY}.other`, plain)],
    ];
    for (const [what, bytes] of cases) {
      await expect(open(bytes), what).rejects.toMatchObject({
        code: 'corrupt',
        message: expect.stringMatching(/^manifest snapshots\/.* is damaged/),
      });
    }
  });

  it('opens a manifest sealed whole, as vaults stored them before segmenting', async () => {
    const plain = randomBytes(300_000);
    const whole = codec.encode(plain, 'manifest', KEY);
    expect((await open(whole)).equals(plain)).toBe(true);
    const tampered = Buffer.from(whole);
    tampered[1000] = tampered[1000]! ^ 1;
    await expect(open(tampered)).rejects.toMatchObject({ code: 'corrupt' });
  });
});
