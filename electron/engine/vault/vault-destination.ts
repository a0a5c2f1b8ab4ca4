/**
 * A vault seen as a Destination: everything passes through to the store below except snapshot
 * manifests, which are sealed on the way in and opened on the way out. So the code that lists,
 * reads and deletes manifests (snapshot lists, prune, verify, restore, versions) works on a vault
 * unchanged, while what is stored stays ciphertext. It also carries what a vault backup and
 * restore need: the codec, the chunking and (loaded once) the blob index.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StrataError } from '../../../shared/errors.js';
import {
  checkRange,
  type Destination,
  type HeadOptions,
  type ObjectAttributes,
  type ObjectInfo,
  type OpenOptions,
  type ProbeStep,
  type PutStreamOptions,
} from '../destinations/types.js';
import { SNAPSHOTS_PREFIX } from '../repository/keys.js';
import { sha256Hex } from '../transfer/hashing.js';
import { readAll } from '../transfer/read-all.js';
import { BlobReader } from './blob-reader.js';
import type { ChunkingOptions } from './chunker.js';
import type { BlobCodec } from './codec.js';
import { readCollectionMarkers } from './collection-marker.js';
import type { IndexCache } from './index-cache.js';
import { BlobIndex, readAllIndexes, type DamagedObject } from './index-file.js';
import { ManifestOpener, ManifestSealer, sealManifest } from './manifest-seal.js';
import { RunMarker } from './run-marker.js';

/** A bound on a manifest read whole (one sealed before segmenting, or open/getRange): far above any real one. */
const MAX_MANIFEST_BYTES = 1024 * 1024 * 1024;

const isManifest = (key: string): boolean => key.startsWith(SNAPSHOTS_PREFIX);

export class VaultDestination implements Destination {
  readonly kind: 'local' | 's3';
  readonly label: string;
  readonly concurrency: number;
  private loaded: Promise<LoadedIndex> | undefined;
  private run: RunMarker | undefined;

  constructor(
    readonly inner: Destination,
    readonly codec: BlobCodec,
    readonly chunking: ChunkingOptions,
    /** This machine's copy of the index files; none means every open downloads them all. */
    readonly indexCache?: IndexCache,
    /** Where manifests are sealed on their way out. */
    private readonly tmpDir: string = tmpdir(),
  ) {
    this.kind = inner.kind;
    this.label = inner.label;
    this.concurrency = inner.concurrency;
  }

  /**
   * Every blob the vault's index files list (read once per opened vault; a backup adds to it).
   * Blobs in packs a collection has condemned load as such (BlobIndex.hasLive is false for them).
   */
  index(): Promise<LoadedIndex> {
    this.loaded ??= (async () => {
      const condemned = new Set((await readCollectionMarkers(this.inner, this.codec)).flatMap((m) => m.packs));
      const l = await readAllIndexes(this.inner, this.codec, new BlobIndex(), {
        condemned,
        ...(this.indexCache ? { cache: this.indexCache } : {}),
      });
      return {
        index: l.index,
        damaged: l.damaged,
        fingerprint: indexFingerprint(l.keys, condemned, l.damaged),
        fingerprintWith: (added) => indexFingerprint([...new Set([...l.keys, ...added])], condemned, l.damaged),
      };
    })();
    this.loaded.catch(() => {
      this.loaded = undefined; // a failed load (no network) is tried again, not remembered
    });
    return this.loaded;
  }

  /**
   * Announces a backup (vault/run-marker.ts) before it reads the index, so a collection waits for
   * it; ended by close(). The index is read afresh after the marker exists.
   */
  async beginBackup(): Promise<RunMarker> {
    if (this.run) return this.run;
    const marker = new RunMarker(this.inner, this.codec);
    await marker.start();
    this.run = marker;
    this.loaded = undefined;
    return marker;
  }

  /**
   * One reader per opened vault: its pack cache and read-ahead serve every file of a restore (a
   * reader per file started cold each time and read about 14 times the bytes it restored).
   */
  async reader(): Promise<BlobReader> {
    const { index } = await this.index();
    if (this.blobReader?.index !== index)
      this.blobReader = { index, reader: new BlobReader(this.inner, this.codec, index) };
    return this.blobReader.reader;
  }

  private blobReader: { index: BlobIndex; reader: BlobReader } | undefined;

  private async opened(key: string): Promise<Buffer> {
    return readAll(await this.get(key), MAX_MANIFEST_BYTES);
  }

  async putBuffer(key: string, body: Buffer, sha256: string | undefined, attributes?: ObjectAttributes): Promise<void> {
    if (!isManifest(key)) return this.inner.putBuffer(key, body, sha256, attributes);
    const sealed = sealManifest(this.codec, key, body);
    await this.inner.putBuffer(key, sealed, sha256Hex(sealed));
  }

  /** A manifest is sealed segment by segment into a temporary file, then stored: memory stays flat. */
  async putStream(key: string, body: Readable, opts: PutStreamOptions): Promise<void> {
    if (!isManifest(key)) return this.inner.putStream(key, body, opts);
    const file = join(this.tmpDir, `sealed-${randomBytes(6).toString('hex')}`);
    try {
      let plainBytes = 0;
      const hash = createHash('sha256');
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          plainBytes += chunk.length;
          done(null, chunk);
        },
      });
      const sealer = new ManifestSealer(this.codec, key);
      sealer.on('data', (c: Buffer) => hash.update(c));
      await pipeline(body, counter, sealer, createWriteStream(file, { mode: 0o600 }));
      if (plainBytes !== opts.size) {
        throw new StrataError('internal', `${key}: expected ${opts.size} bytes, got ${plainBytes}`);
      }
      const { size } = await stat(file);
      await this.inner.putStream(key, createReadStream(file), { size, sha256: hash.digest('hex') });
    } finally {
      await rm(file, { force: true });
    }
  }

  async get(key: string): Promise<Readable> {
    if (!isManifest(key)) return this.inner.get(key);
    const opener = new ManifestOpener(this.codec, key, MAX_MANIFEST_BYTES);
    // Errors of the stored stream reach the reader through the opener.
    pipeline(await this.inner.get(key), opener).catch(() => undefined);
    return opener;
  }

  async open(key: string, opts?: OpenOptions): Promise<{ body: Readable; info: ObjectInfo }> {
    if (!isManifest(key)) return this.inner.open(key, opts);
    const plain = await this.opened(key);
    return { body: Readable.from([plain]), info: { key, size: plain.length, sha256: sha256Hex(plain) } };
  }

  /** Packs are read by range; a manifest is opened and sliced (nothing reads a manifest by range). */
  async getRange(key: string, start: number, end: number, into?: Buffer): Promise<Buffer> {
    if (!isManifest(key)) return this.inner.getRange(key, start, end, into);
    checkRange(key, start, end);
    return (await this.opened(key)).subarray(start, end);
  }

  head(key: string, opts?: HeadOptions): Promise<ObjectInfo | undefined> {
    return this.inner.head(key, opts);
  }

  copy(fromKey: string, toKey: string): Promise<void> {
    return this.inner.copy(fromKey, toKey);
  }

  delete(keys: string[]): Promise<void> {
    return this.inner.delete(keys);
  }

  list(prefix: string): AsyncIterable<ObjectInfo> {
    return this.inner.list(prefix);
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  sweep(olderThan: Date): Promise<number> {
    return this.inner.sweep(olderThan);
  }

  probe(): Promise<ProbeStep[]> {
    return this.inner.probe();
  }

  async close(): Promise<void> {
    const run = this.run;
    this.run = undefined;
    try {
      await run?.stop();
    } finally {
      await this.inner.close();
    }
  }
}

/**
 * Names what the vault's index says: the index files read, the packs condemned, the files that
 * could not be read. Index files are named by their content and never rewritten, so the same names
 * mean the same index (VaultChunkStore.reconcile).
 */
/** The vault's index as loaded, and names of its state (for VaultChunkStore's checks). */
export interface LoadedIndex {
  index: BlobIndex;
  damaged: DamagedObject[];
  /** Names the index files, condemned packs and damage it was loaded from. */
  fingerprint: string;
  /** The fingerprint the index will have once `added` index files are stored too (a backup's own). */
  fingerprintWith(added: string[]): string;
}

function indexFingerprint(keys: string[], condemned: Set<string>, damaged: DamagedObject[]): string {
  const hash = createHash('sha256');
  for (const k of [...keys].sort()) hash.update(`i ${k}\n`);
  for (const p of [...condemned].sort()) hash.update(`c ${p}\n`);
  for (const d of damaged) hash.update(`d ${d.key}\n`);
  return hash.digest('hex');
}
