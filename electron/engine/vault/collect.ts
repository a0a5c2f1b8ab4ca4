/**
 * Garbage collection of a vault, in two phases, with no lock on backups:
 *
 *  1. Mark: packs no remaining snapshot needs (every blob unreferenced, or kept in a better pack),
 *     and packs no index lists (a killed run's), are written down as condemned in a collection
 *     marker (vault/collection-marker.ts). Sparse packs are first repacked: their used blobs are
 *     copied into new packs, then the old pack is condemned. Backups that start after the marker
 *     never build on condemned packs.
 *  2. Sweep, in a later collection: a marker's packs are deleted once the marker is older than
 *     the grace period and no backup that began before it is still running (vault/run-marker.ts).
 *     Snapshots written meanwhile were read just before, so a condemned pack they use is kept.
 *
 * The order of reads matters: markers, then running backups, then index files, then manifests.
 * A backup that ended between two reads wrote its index and manifest before removing its marker,
 * so whatever it stored is seen.
 */
import { StrataError, describeError } from '../../../shared/errors.js';
import { ManifestFile } from '../repository/manifest-reader.js';
import { listManifestKeys } from '../repository/snapshot-list.js';
import { IdSet } from './blob-index.js';
import { readCollectionMarkers, writeCollectionMarker, type CollectionMarker } from './collection-marker.js';
import { BlobIndex, readAllIndexes, readIndexFile, writeIndex, type IndexedPack } from './index-file.js';
import { BlobReader } from './blob-reader.js';
import { fetchPackHeader } from './pack-fetch.js';
import { packIdOfKey, packKey } from './pack-format.js';
import { DEFAULT_PACK_SIZE, PackWriter } from './pack-writer.js';
import { liveRuns, RunMarker, type RunInfo } from './run-marker.js';
import type { VaultDestination } from './vault-destination.js';

/** Destination timestamps have second precision on S3: a run and a marker this close count as concurrent. */
const CLOCK_SLACK_MS = 5_000;
/** A pack whose used blobs fill less than this share of it is repacked. */
export const DEFAULT_REPACK_BELOW = 0.5;
/**
 * Packs smaller than this (every backup leaves one partial pack, and each costs a GET and a PUT
 * to move) are consolidated into full packs once at least SMALL_PACKS_AT_LEAST of them exist, at
 * most CONSOLIDATE_MAX_BYTES of them per prune so one prune's work stays bounded.
 */
export const DEFAULT_SMALL_PACK_BYTES = DEFAULT_PACK_SIZE / 4;
export const SMALL_PACKS_AT_LEAST = 8;
const CONSOLIDATE_MAX_BYTES = 256 * 1024 * 1024;

export interface CollectOptions {
  tmpDir: string;
  /** The time now (ms), to age markers and run markers with. */
  now: number;
  /** A marker's packs are deleted only once it is this old. */
  graceMs: number;
  repackBelow?: number;
  /** Packs below this size are consolidated (see DEFAULT_SMALL_PACK_BYTES); 0 turns that off. */
  smallPackBytes?: number;
  log?: (message: string) => void;
}

export interface CollectOutcome {
  packsDeleted: number;
  bytesFreed: number;
  /** Condemned by this collection: deleted by a later one. */
  packsCondemned: number;
  bytesCondemned: number;
  /** Condemned earlier, waiting for the grace period or for backups that began before. */
  packsWaiting: number;
  /** Condemned earlier, but a snapshot written since uses them: kept. */
  packsRescued: number;
  /** Sparse packs whose used blobs were copied into new packs (and which were then condemned). */
  packsRepacked: number;
  bytesRepacked: number;
  /** Small packs whose blobs were copied together into full packs (and which were then condemned). */
  packsConsolidated: number;
  indexFilesRewritten: number;
  /** Why condemned packs wait, when they do (e.g. a backup running on another machine). */
  waitingFor: string | null;
  /** Why nothing could be collected, when that is so: then nothing was deleted or marked. */
  blocked: string | null;
}

interface PackBlobs {
  /** 32 raw bytes per blob id. */
  ids: Buffer;
  /** Encoded length per blob. */
  lengths: Float64Array;
  /** Index files that list this pack. */
  files: string[];
}

export async function collectVault(vault: VaultDestination, opts: CollectOptions): Promise<CollectOutcome> {
  const dest = vault.inner;
  const codec = vault.codec;
  const out: CollectOutcome = {
    packsDeleted: 0,
    bytesFreed: 0,
    packsCondemned: 0,
    bytesCondemned: 0,
    packsWaiting: 0,
    packsRescued: 0,
    packsRepacked: 0,
    packsConsolidated: 0,
    bytesRepacked: 0,
    indexFilesRewritten: 0,
    waitingFor: null,
    blocked: null,
  };

  // One collection at a time: each announces itself before looking for others, so of two that
  // start together at least one sees the other and steps back (concurrent collections could
  // index packs the other had just deleted).
  const self = new RunMarker(dest, codec, Date.now, true);
  await self.start();
  try {
    const others = (await liveRuns(dest, codec, opts.now)).filter((r) => r.collect && r.key !== self.key);
    if (others.length) {
      out.blocked = `another prune is collecting unused packs in this vault${others[0]!.host ? ` (on ${others[0]!.host})` : ''}; this one removed snapshots only, and the next one collects`;
      return out;
    }
    return await collectAlone(vault, opts, out, self.key);
  } finally {
    await self.stop();
  }
}

async function collectAlone(
  vault: VaultDestination,
  opts: CollectOptions,
  out: CollectOutcome,
  selfKey: string,
): Promise<CollectOutcome> {
  const log = opts.log ?? (() => undefined);
  const dest = vault.inner;
  const codec = vault.codec;
  // 1-2. Markers, then running backups.
  const markers = await readCollectionMarkers(dest, codec);
  const runs = (await liveRuns(dest, codec, opts.now)).filter((r) => r.key !== selfKey);

  // 3. Index files: every location of every blob, pack by pack.
  const packsOf = new Map<string, PackBlobs>();
  const fileOf = new Map<string, string[]>();
  const load = await readAllIndexes(dest, codec, new BlobIndex(), {
    ...(vault.indexCache ? { cache: vault.indexCache } : {}),
    fillIndex: false,
    onFile: (key, packs) => {
      fileOf.set(
        key,
        packs.map((p) => p.packId),
      );
      for (const p of packs) {
        const known = packsOf.get(p.packId);
        if (known) known.files.push(key);
        else packsOf.set(p.packId, summarize(p, key));
      }
    },
  });
  if (load.damaged.length) {
    out.blocked = `${load.damaged.length} index file(s) cannot be read (${load.damaged[0]!.key}), so no pack is collected`;
    return out;
  }

  // 4. What the snapshots use.
  let live: IdSet;
  try {
    live = await referencedBlobs(vault, opts.tmpDir);
  } catch (err) {
    out.blocked = describeError(err);
    return out;
  }

  // 5. What is stored.
  const stored = new Map<string, number>();
  for await (const o of dest.list('packs/')) {
    const id = packIdOfKey(o.key);
    if (id) stored.set(id, o.size);
  }

  // Sweep.
  const due = (m: CollectionMarker): RunInfo | 'young' | null =>
    opts.now - m.markedAt < opts.graceMs
      ? 'young'
      : (runs.find((r) => r.startedAt <= m.markedAt + CLOCK_SLACK_MS) ?? null);
  const eligible: CollectionMarker[] = [];
  const waiting: CollectionMarker[] = [];
  for (const m of markers) {
    const blocker = due(m);
    if (blocker === null) eligible.push(m);
    else {
      waiting.push(m);
      out.waitingFor ??=
        blocker === 'young'
          ? 'the grace period since they were marked has not passed'
          : `a backup that began before they were marked is still running${blocker.host ? ` (on ${blocker.host})` : ''}`;
    }
  }
  const doomed = new Set(eligible.flatMap((m) => m.packs).filter((p) => stored.has(p)));
  const heldElsewhere = new IdSet();
  for (const [packId, p] of packsOf) {
    if (stored.has(packId) && !doomed.has(packId)) forLive(p, live, (id) => heldElsewhere.add(id));
  }
  for (const packId of [...doomed].sort()) {
    const p = packsOf.get(packId);
    let needed = false;
    if (p) forLive(p, live, (id) => (needed ||= !heldElsewhere.has(id)));
    if (!needed) continue;
    doomed.delete(packId);
    out.packsRescued++;
    forLive(p!, live, (id) => heldElsewhere.add(id));
  }
  const doomedList = [...doomed];
  for (let i = 0; i < doomedList.length; i += 500) {
    const batch = doomedList.slice(i, i + 500);
    await dest.delete(batch.map(packKey));
    out.packsDeleted += batch.length;
    out.bytesFreed += batch.reduce((a, id) => a + stored.get(id)!, 0);
  }
  if (doomed.size) {
    await dest.flush();
    log(`deleted ${out.packsDeleted} unused pack(s) condemned by an earlier prune`);
    // Index files that list deleted packs are rewritten without them before the markers go:
    // until then the markers keep those packs condemned, so no backup builds on them.
    out.indexFilesRewritten = await rewriteIndexFiles(vault, fileOf, doomed);
  }
  if (out.packsRescued) log(`${out.packsRescued} condemned pack(s) are used by snapshots written since: kept`);
  await dest.delete(eligible.map((m) => m.key));
  for (const id of doomed) stored.delete(id);

  // Mark.
  const alreadyCondemned = new Set(waiting.flatMap((m) => m.packs));
  out.packsWaiting = [...alreadyCondemned].filter((p) => stored.has(p)).length;
  const condemn: string[] = [];
  // Which blobs a pack keeps, as positions in it: ids as strings cost ~90 bytes each on the heap,
  // and only the few sparse packs ever need them (for a million blobs, ~90 MB at the peak of a prune).
  const keepers: { packId: string; p: PackBlobs; mine: Uint32Array; keptBytes: number; totalBytes: number }[] = [];
  const kept = new IdSet();
  const ranked = [...stored.keys()].filter((id) => !alreadyCondemned.has(id)).map((id) => ({ id, p: packsOf.get(id) }));
  for (const { id, p } of ranked) if (!p) condemn.push(id); // no index lists it: a killed run's
  const indexed = ranked
    .filter((r): r is { id: string; p: PackBlobs } => r.p !== undefined)
    .map((r) => ({ ...r, share: liveShare(r.p, live) }))
    .sort((a, b) => b.share - a.share || (a.id < b.id ? -1 : 1));
  for (const { id, p } of indexed) {
    const mine: number[] = [];
    let keptBytes = 0;
    let totalBytes = 0;
    for (let i = 0; i < p.lengths.length; i++) {
      totalBytes += p.lengths[i]!;
      const blob = p.ids.toString('hex', i * 32, i * 32 + 32);
      if (live.has(blob) && kept.add(blob)) {
        mine.push(i);
        keptBytes += p.lengths[i]!;
      }
    }
    if (mine.length === 0) condemn.push(id);
    else keepers.push({ packId: id, p, mine: Uint32Array.from(mine), keptBytes, totalBytes });
  }
  const sparse = keepers.filter((k) => k.keptBytes < (opts.repackBelow ?? DEFAULT_REPACK_BELOW) * k.totalBytes);
  const small = smallPacks(keepers, new Set(sparse.map((k) => k.packId)), opts.smallPackBytes);
  if (sparse.length || small.length) {
    // Blob ids become hex strings only for the packs being copied.
    const withIds = [...sparse, ...small].map((k) => ({
      ...k,
      kept: [...k.mine].map((i) => k.p.ids.toString('hex', i * 32, i * 32 + 32)),
    }));
    const copied = await repack(vault, withIds);
    out.packsRepacked = sparse.length;
    out.packsConsolidated = small.length;
    out.bytesRepacked = copied;
    for (const k of [...sparse, ...small]) condemn.push(k.packId);
    if (sparse.length) log(`repacked ${sparse.length} sparse pack(s) into new packs`);
    if (small.length) log(`consolidated ${small.length} small pack(s) into full packs`);
    log(`${copied} bytes still used were copied; the old packs are marked below`);
  }
  if (condemn.length) {
    await writeCollectionMarker(dest, codec, condemn.sort());
    out.packsCondemned = condemn.length;
    out.bytesCondemned = condemn.reduce((a, id) => a + (stored.get(id) ?? 0), 0);
    log(`marked ${condemn.length} unused pack(s) (${out.bytesCondemned} bytes) for deletion by a later prune`);
  }
  if (out.packsWaiting) log(`${out.packsWaiting} pack(s) marked earlier wait: ${out.waitingFor}`);
  return out;
}

function summarize(p: IndexedPack, file: string): PackBlobs {
  const ids = Buffer.alloc(p.blobs.length * 32);
  const lengths = new Float64Array(p.blobs.length);
  p.blobs.forEach((b, i) => {
    ids.write(b.id, i * 32, 32, 'hex');
    lengths[i] = b.length;
  });
  return { ids, lengths, files: [file] };
}

function forLive(p: PackBlobs, live: IdSet, fn: (id: string) => void): void {
  for (let i = 0; i < p.lengths.length; i++) {
    const id = p.ids.toString('hex', i * 32, i * 32 + 32);
    if (live.has(id)) fn(id);
  }
}

function liveShare(p: PackBlobs, live: IdSet): number {
  let used = 0;
  let total = 0;
  for (let i = 0; i < p.lengths.length; i++) {
    total += p.lengths[i]!;
    if (live.has(p.ids.toString('hex', i * 32, i * 32 + 32))) used += p.lengths[i]!;
  }
  return total ? used / total : 0;
}

/** Every blob id a remaining snapshot references. An unreadable manifest stops the collection. */
async function referencedBlobs(vault: VaultDestination, tmpDir: string): Promise<IdSet> {
  const live = new IdSet();
  for (const { key } of await listManifestKeys(vault)) {
    let mf: ManifestFile;
    try {
      mf = await ManifestFile.fetch(vault, key, tmpDir);
    } catch (err) {
      if (err instanceof StrataError && err.code === 'not-found') continue; // pruned meanwhile
      throw new StrataError(
        'corrupt',
        `cannot collect unused packs: manifest ${key} cannot be read (${describeError(err)})`,
        'nothing was deleted or marked; verify the destination, then remove or repair that snapshot',
      );
    }
    try {
      for await (const e of mf.entries()) for (const id of e.chunks ?? []) live.add(id);
    } finally {
      await mf.dispose();
    }
  }
  return live;
}

/**
 * The small packs worth consolidating: none until SMALL_PACKS_AT_LEAST exist (so a prune does not
 * copy one backup's leftover pack again and again), then the smallest first up to CONSOLIDATE_MAX_BYTES.
 */
function smallPacks<T extends { packId: string; totalBytes: number }>(
  keepers: T[],
  repacked: Set<string>,
  below = DEFAULT_SMALL_PACK_BYTES,
): T[] {
  const small = keepers
    .filter((k) => !repacked.has(k.packId) && k.totalBytes < below)
    .sort((a, b) => a.totalBytes - b.totalBytes || (a.packId < b.packId ? -1 : 1));
  if (small.length < SMALL_PACKS_AT_LEAST) return [];
  const out: T[] = [];
  let bytes = 0;
  for (const k of small) {
    if (bytes + k.totalBytes > CONSOLIDATE_MAX_BYTES) break;
    out.push(k);
    bytes += k.totalBytes;
  }
  return out.length >= 2 ? out : [];
}

/**
 * Copies the used blobs of packs into new packs, indexed before the old packs are condemned.
 * Returns the bytes copied.
 */
async function repack(
  vault: VaultDestination,
  packs: { packId: string; kept: string[]; keptBytes: number }[],
): Promise<number> {
  const index = new BlobIndex();
  for (const s of packs) {
    // Locations come from the index files; only these packs' blobs are needed.
    const p = await locations(vault, s.packId);
    index.addPack(s.packId, p);
  }
  const reader = new BlobReader(vault.inner, vault.codec, index);
  const writer = new PackWriter({ dest: vault.inner, codec: vault.codec });
  let copied = 0;
  for (const s of packs) {
    for (const id of s.kept) await writer.add(id, await reader.read(id));
    copied += s.keptBytes;
  }
  const written = await writer.flush();
  await writeIndex(vault.inner, vault.codec, written);
  return copied;
}

/** A pack's blob locations, from its own header (authenticated, and a pack is read here anyway). */
function locations(vault: VaultDestination, packId: string): Promise<IndexedPack['blobs']> {
  return fetchPackHeader(vault.inner, vault.codec, packId);
}

/**
 * Index files that list deleted packs are replaced by one file listing the rest of what they
 * listed; the old files are deleted after it is stored. Returns how many were replaced.
 */
async function rewriteIndexFiles(
  vault: VaultDestination,
  fileOf: Map<string, string[]>,
  deleted: Set<string>,
): Promise<number> {
  const affected = [...fileOf].filter(([, packs]) => packs.some((p) => deleted.has(p))).map(([key]) => key);
  if (!affected.length) return 0;
  const keep = new Map<string, IndexedPack>();
  for (const key of affected) {
    for (const p of await readIndexFile(vault.inner, vault.codec, key, vault.indexCache)) {
      if (!deleted.has(p.packId)) keep.set(p.packId, p);
    }
  }
  await writeIndex(vault.inner, vault.codec, [...keep.values()]);
  for (let i = 0; i < affected.length; i += 500) await vault.inner.delete(affected.slice(i, i + 500));
  return affected.length;
}
