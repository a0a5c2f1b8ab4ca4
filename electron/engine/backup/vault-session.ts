/**
 * One (source, destination) pair of a backup into a vault: file content is cut into chunks
 * (vault/chunker.ts), each chunk stored once by its keyed id in packs (vault/pack-writer.ts), and
 * each manifest entry lists its chunk ids. Nothing is ever overwritten or moved, so older snapshots
 * need no history/ copies; the index file of this run's packs is written before the manifest, so
 * a snapshot never references content the vault cannot find.
 */
import { StrataError } from '../../../shared/errors.js';
import type { ManifestEntry, ManifestHeader } from '../repository/manifest-schema.js';
import type { WrittenManifest } from '../repository/manifest-writer.js';
import type { VaultChunkStore } from '../store/vault-chunk-store.js';
import { chunkBoundaries, chunkStream } from '../vault/chunker.js';
import type { BlobIndex } from '../vault/blob-index.js';
import { writeIndex } from '../vault/index-file.js';
import { packIdOfKey } from '../vault/pack-format.js';
import { STALE_MS, type RunMarker } from '../vault/run-marker.js';
import { PackWriter } from '../vault/pack-writer.js';
import type { VaultDestination } from '../vault/vault-destination.js';
import type { FileFacts } from './backup-worker-protocol.js';
import type { BackupWorkers, WorkerFileResult } from './backup-workers.js';
import { DestinationSession } from './destination-session.js';
import type { FanOutTarget } from './fan-out.js';

/** About 1 GiB of 16 MiB packs per index file while a backup runs. */
const INDEX_EVERY_PACKS = 64;
/**
 * Or this many blobs, whichever comes first: packs of tiny files hold ~70,000 blobs each, whose
 * entries wait in memory until indexed (a million small files would otherwise keep them all).
 */
const INDEX_EVERY_BLOBS = 50_000;

export class VaultSession extends DestinationSession {
  private packs: PackWriter | undefined;
  /** Chunk ids of files sent in this run, until their manifest entry is added. */
  private readonly sent = new Map<string, string[]>();
  /** Index files are written as packs accumulate, so the packs of a run killed part-way are known to the next. */
  private indexing: Promise<void> = Promise.resolve();

  constructor(
    readonly vault: VaultDestination,
    private readonly chunkLists: VaultChunkStore,
    args: {
      destId: string;
      destName: string;
      sourceName: string;
      sourceId: string;
      header: Omit<ManifestHeader, 'snapshotId' | 'sourceId' | 'sourceName' | 'layout'>;
      tmpDir: string;
      now: Date;
      /** Waits before each pack upload: the run's bandwidth limit. */
      pace?: ((bytes: number) => Promise<void>) | undefined;
    },
  ) {
    super(
      args.destId,
      args.destName,
      vault,
      args.sourceName,
      args.sourceId,
      args.header,
      args.tmpDir,
      args.now,
      'vault',
    );
    this.pace = args.pace;
  }

  private readonly pace: ((bytes: number) => Promise<void>) | undefined;

  /**
   * Announces the run, loads the vault's index (what it already stores) and makes files whose
   * chunks are unknown here, or condemned by a collection, be read again.
   */
  async start(): Promise<void> {
    this.marker = await this.vault.beginBackup();
    const { index, damaged, fingerprint, fingerprintWith } = await this.vault.index();
    this.blobIndex = index;
    this.fingerprintWith = fingerprintWith;
    if (damaged.length) {
      throw new StrataError(
        'corrupt',
        `${damaged.length} index file(s) of the vault at ${this.vault.label} cannot be read (${damaged[0]!.key}: ${damaged[0]!.error})`,
        'run strata verify on this destination before backing up to it again',
      );
    }
    this.chunkLists.reconcile(this.destId, fingerprint, (id) => index.hasLive(id));
    this.packs = new PackWriter({
      dest: this.vault.inner,
      codec: this.vault.codec,
      has: (id) => index.hasLive(id),
      onPack: (p) => {
        index.addPack(p.packId, p.blobs);
        this.unindexedBlobs += p.blobs.length;
        this.usedPacks.add(p.packId);
      },
      pace: this.pace,
    });
  }

  private marker: RunMarker | undefined;
  private blobIndex: BlobIndex | undefined;
  /** Names the index state this run will leave, given the index files it stored (`indexKeys`). */
  private fingerprintWith: ((added: string[]) => string) | undefined;
  private readonly indexKeys: string[] = [];
  /** A file was kept without a chunk list here: the next run's check must send it back to be read. */
  private unknownContent = false;
  /** Packs this snapshot's content is in: checked before the manifest if the run's marker lapsed. */
  private readonly usedPacks = new Set<string>();

  private pack(): PackWriter {
    if (!this.packs) throw new Error('vault session not started');
    return this.packs;
  }

  /** Where fan-out sends a file: cut into chunks, each stored unless the vault has it. */
  target(path: string, base: Pick<FanOutTarget, 'wants'>, progress: (n: number) => void): FanOutTarget {
    const codec = this.vault.codec;
    const store = async (chunk: Buffer, ids: string[]): Promise<void> => {
      const id = codec.id(chunk);
      ids.push(id);
      await this.pack().add(id, chunk);
      progress(chunk.length);
      this.indexWhenDue();
    };
    return {
      ...base,
      sendBuffer: async (body) => {
        const ids: string[] = [];
        let start = 0;
        for (const end of chunkBoundaries(body, this.vault.chunking)) {
          await store(body.subarray(start, end), ids);
          start = end;
        }
        this.sent.set(path, ids);
      },
      sendStream: async (body, size, _sha, onBytes) => {
        const ids: string[] = [];
        let total = 0;
        // store() is done with a chunk (copied into a pack) before the next is read.
        for await (const chunk of chunkStream(body, this.vault.chunking, { reuse: true })) {
          total += chunk.length;
          await store(chunk, ids);
          onBytes(chunk.length);
        }
        if (size !== undefined && total !== size) {
          throw new StrataError(
            'changed-while-reading',
            `the data changed while it was read: expected ${size} bytes, got ${total}`,
            'run the backup again once the file is no longer being written',
          );
        }
        this.sent.set(path, ids);
      },
    };
  }

  /**
   * Stores a local file through the backup's worker threads: they read, chunk, hash and seal it;
   * its blobs join this session's packs. undefined when no worker is left to do it.
   */
  async storeWith(
    workers: BackupWorkers,
    abs: string | Buffer,
    facts: FileFacts,
    progress: { read(n: number): void; stored(n: number): void; stopped(): boolean },
  ): Promise<WorkerFileResult | undefined> {
    const writer = this.pack();
    const outcome = workers.backUp(abs, facts, {
      known: (id, raw) => {
        const known = writer.knows(id);
        if (known) {
          writer.stats.skipped++;
          progress.stored(raw);
        }
        return known;
      },
      store: async (id, blob, raw) => {
        await writer.addEncoded(
          id,
          blob.then((b) => [b]),
          raw,
        );
        progress.stored(raw);
        this.indexWhenDue();
      },
      read: (n) => progress.read(n),
      stopped: progress.stopped,
    });
    const result = await outcome;
    if (result?.ok) this.sent.set(facts.path, result.done.ids);
    return result;
  }

  private indexWhenDue(): void {
    const writer = this.pack();
    if (writer.stats.packs - this.indexed < INDEX_EVERY_PACKS && this.unindexedBlobs < INDEX_EVERY_BLOBS) return;
    this.indexed = writer.stats.packs;
    this.unindexedBlobs = 0;
    // A failure is kept for commit to throw, so it fails this session rather than the process.
    this.indexing = this.indexing
      .then(() => writeIndex(this.vault.inner, this.vault.codec, writer.takeWritten(), this.indexTally))
      .then(
        (key) => void (key && this.indexKeys.push(key)),
        (err: unknown) => {
          this.indexFailure ??= err;
        },
      );
  }

  private indexed = 0;
  private unindexedBlobs = 0;
  private readonly indexTally = { files: 0, bytes: 0 };
  private indexFailure: unknown;

  /** Content is never overwritten in a vault: nothing to keep aside. */
  override async preserve(): Promise<void> {}

  /** A file gone from the source is simply absent from the next manifest. */
  override async remove(): Promise<void> {
    this.counters.filesDeleted++;
  }

  override async add(entry: ManifestEntry): Promise<void> {
    if (entry.type !== 'file' || entry.chunks) return super.add(entry);
    const fresh = this.sent.get(entry.path);
    this.sent.delete(entry.path);
    if (fresh && entry.sha256) this.chunkLists.put(this.destId, entry.sha256, fresh);
    const chunks = fresh ?? (entry.sha256 ? this.chunkLists.get(this.destId, entry.sha256) : undefined);
    if (!chunks) {
      // A file kept at an earlier version whose chunks this machine never saw: it is read next time.
      this.unknownContent = true;
      this.counters.filesFailed++;
      this.writer.addError(entry.path, 'its content is not known to this vault here; the next backup reads it again');
      return;
    }
    for (const id of chunks) {
      const packId = this.blobIndex?.get(id)?.packId; // undefined: in a pack of this run not yet stored
      if (packId) this.usedPacks.add(packId);
    }
    return super.add({ ...entry, chunks });
  }

  /** Packs and their index first, then the manifest: the snapshot exists only once all it needs does. */
  override async commit(now: Date): Promise<WrittenManifest & { key: string }> {
    const packs = await this.pack().flush();
    await this.indexing;
    if (this.indexFailure) throw this.indexFailure;
    const key = await writeIndex(this.vault.inner, this.vault.codec, packs, this.indexTally);
    if (key) this.indexKeys.push(key);
    if (this.marker?.lapsed()) await this.checkPacksStillThere();
    const written = await super.commit(now);
    // Every chunk list now names chunks the vault holds: those it had (checked at start) and those
    // this run stored and indexed. The next run need not check them again unless the index changes.
    if (!this.unknownContent && this.fingerprintWith) {
      this.chunkLists.markChecked(this.destId, this.fingerprintWith(this.indexKeys));
    }
    // What the cost estimate adds for this run: packs and index files (the manifest is counted
    // with every snapshot), not the files read.
    const stats = this.pack().stats;
    this.counters.storedBytes = stats.bytes + this.indexTally.bytes;
    this.counters.storedObjects = stats.packs + this.indexTally.files;
    return written;
  }

  /**
   * The run's marker went unrefreshed long enough (a computer asleep) for a collection to take the
   * run for dead and delete packs it condemned: the snapshot is written only if none of its packs went.
   */
  private async checkPacksStillThere(): Promise<void> {
    const present = new Set<string>();
    for await (const o of this.vault.inner.list('packs/')) {
      const id = packIdOfKey(o.key);
      if (id) present.add(id);
    }
    const gone = [...this.usedPacks].filter((p) => !present.has(p));
    if (gone.length) {
      throw new StrataError(
        'integrity',
        `${gone.length} pack(s) this backup reused were deleted by a prune while it was paused (e.g. the computer slept for more than ${STALE_MS / 60_000} minutes); no snapshot was written`,
        'run the backup again: it stores that content anew',
      );
    }
  }
}
