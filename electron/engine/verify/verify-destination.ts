/**
 * Verification of one destination. Quick: every version a kept snapshot references is stored,
 * at the right size, and (where the store keeps one) with the right SHA-256 in its metadata:
 * a listing of files/ and history/ and a HEAD per current object, no download. Deep: the
 * versions in this run's sample are downloaded and hashed, which catches bytes changed behind
 * the metadata's back.
 */
import type { VerifyProblem } from '../../../shared/api/entities.js';
import { createHash } from 'node:crypto';
import { describeError, StrataError } from '../../../shared/errors.js';
import { BlobReader } from '../vault/blob-reader.js';
import { readAllIndexes, type BlobLocation } from '../vault/index-file.js';
import { packIdOfKey, packKey } from '../vault/pack-format.js';
import { VaultDestination } from '../vault/vault-destination.js';
import type { Destination } from '../destinations/types.js';
import type { SnapshotInfo } from '../repository/snapshot-list.js';
import { HashingStream } from '../transfer/hashing.js';
import { collectVersions, type StoredVersion } from './stored-versions.js';
import { inWindow, placeOf } from './sample.js';

export interface VerifyProgress {
  phase: 'manifests' | 'objects';
  done: number;
  total: number;
  bytesRead: number;
}

export interface VerifyOutcome {
  /** One per damaged version, named by the newest snapshot holding it. */
  problems: (Omit<VerifyProblem, 'repairableFrom'> & { version?: StoredVersion; damagedKey?: string })[];
  snapshotIds: string[];
  /** Snapshots that cannot be restored whole (they hold a damaged version). */
  badSnapshotIds: Set<string>;
  objects: number;
  objectsRead: number;
  bytesRead: number;
}

export interface VerifyOptions {
  dest: Destination;
  snapshots: SnapshotInfo[];
  tmpDir: string;
  deep: boolean;
  /** Deep: the sample window, [start, start + width) of 100. */
  sample: { start: number; width: number };
  signal?: AbortSignal | undefined;
  onProgress?: ((p: VerifyProgress) => void) | undefined;
}

/** Where a version is stored, or why it is not: the listing says what exists and at what size. */
async function locate(
  dest: Destination,
  v: StoredVersion,
  sizes: Map<string, number>,
): Promise<{ key: string } | { problem: VerifyProblem['kind']; detail: string }> {
  const hist = sizes.get(v.history);
  if (hist !== undefined) {
    return hist === v.size
      ? { key: v.history }
      : { problem: 'size', detail: `${v.history} holds ${hist} bytes, the snapshot says ${v.size}` };
  }
  const cur = sizes.get(v.current);
  if (cur === undefined) return { problem: 'missing', detail: `${v.current} is not on the destination` };
  const info = await dest.head(v.current);
  if (!info) return { problem: 'missing', detail: `${v.current} is not on the destination` };
  if (info.sha256 && info.sha256 !== v.sha256) {
    // files/ holds another version and no copy of this one was kept in history/.
    return { problem: 'missing', detail: `this version (SHA-256 ${v.sha256.slice(0, 12)}…) is stored nowhere` };
  }
  if (info.size !== v.size) {
    return info.sha256
      ? { problem: 'size', detail: `${v.current} holds ${info.size} bytes, the snapshot says ${v.size}` }
      : { problem: 'missing', detail: `this version (${v.size} bytes) is stored nowhere; ${v.current} holds another` };
  }
  return { key: v.current };
}

async function rehash(dest: Destination, key: string, onBytes: (n: number) => void): Promise<string> {
  const { body } = await dest.open(key);
  const hasher = new HashingStream();
  body.pipe(hasher);
  await new Promise<void>((resolve, reject) => {
    body.once('error', reject);
    hasher.once('error', reject);
    hasher.on('data', (c: Buffer) => onBytes(c.length));
    hasher.once('end', resolve);
  });
  return hasher.digest();
}

export async function verifyDestination(opts: VerifyOptions): Promise<VerifyOutcome> {
  const { dest, signal } = opts;
  const progress = {
    phase: 'manifests' as VerifyProgress['phase'],
    done: 0,
    total: opts.snapshots.length,
    bytesRead: 0,
  };
  opts.onProgress?.(progress);
  const { versions, unreadable } = await collectVersions(dest, opts.snapshots, opts.tmpDir, signal);
  const out: VerifyOutcome = {
    problems: unreadable.map((u) => ({
      path: '(manifest)',
      snapshotId: u.snapshotId,
      kind: 'unreadable',
      detail: `the snapshot's manifest cannot be read: ${u.error}`,
    })),
    snapshotIds: opts.snapshots.map((s) => s.snapshotId),
    badSnapshotIds: new Set(unreadable.map((u) => u.snapshotId)),
    objects: versions.size,
    objectsRead: 0,
    bytesRead: 0,
  };
  const report = (v: StoredVersion, kind: VerifyProblem['kind'], detail: string, damagedKey?: string): void => {
    for (const id of v.snapshotIds) out.badSnapshotIds.add(id);
    out.problems.push({ path: v.path, snapshotId: v.snapshotIds.at(-1)!, kind, detail, version: v, damagedKey });
  };
  if (dest instanceof VaultDestination) {
    await verifyVault(dest, versions, opts, out, progress, report);
    return out;
  }
  const sizes = new Map<string, number>();
  for (const prefix of ['files/', 'history/']) {
    for await (const o of dest.list(prefix)) {
      if (signal?.aborted) return out;
      sizes.set(o.key, o.size);
    }
  }
  Object.assign(progress, { phase: 'objects', done: 0, total: versions.size });
  opts.onProgress?.(progress);
  for (const v of versions.values()) {
    if (signal?.aborted) break;
    try {
      const where = await locate(dest, v, sizes);
      if ('problem' in where) report(v, where.problem, where.detail);
      else if (opts.deep && inWindow(placeOf(where.key), opts.sample.start, opts.sample.width)) {
        const sha = await rehash(dest, where.key, (n) => {
          out.bytesRead += n;
          progress.bytesRead = out.bytesRead;
        });
        out.objectsRead++;
        if (sha !== v.sha256) {
          report(
            v,
            'checksum',
            `${where.key} reads as SHA-256 ${sha.slice(0, 12)}…, the snapshot says ${v.sha256.slice(0, 12)}…`,
          );
        }
      }
    } catch (err) {
      report(v, 'unreadable', describeError(err));
    }
    progress.done++;
    if (progress.done % 50 === 0 || progress.done === progress.total) opts.onProgress?.(progress);
  }
  return out;
}

/**
 * A vault: every chunk a kept snapshot references is in an index file, in a pack that exists, within
 * the pack's size (quick: one listing of packs/ and the index files, no content read); deep reads
 * the sampled versions' chunks, which the codec authenticates, and hashes them against the entry.
 */
async function verifyVault(
  dest: VaultDestination,
  versions: Map<string, StoredVersion>,
  opts: VerifyOptions,
  out: VerifyOutcome,
  progress: VerifyProgress,
  report: (v: StoredVersion, kind: VerifyProblem['kind'], detail: string) => void,
): Promise<void> {
  // What the destination holds, not this machine's cached copy of its index files.
  const { index, damaged } = await readAllIndexes(dest.inner, dest.codec);
  for (const d of damaged) {
    out.problems.push({ path: '(index)', snapshotId: '', kind: 'unreadable', detail: `${d.key}: ${d.error}` });
  }
  const packs = new Map<string, number>();
  for await (const o of dest.inner.list('packs/')) {
    const id = packIdOfKey(o.key);
    if (id) packs.set(id, o.size);
  }
  const reader = new BlobReader(dest.inner, dest.codec, index);
  Object.assign(progress, { phase: 'objects', done: 0, total: versions.size });
  opts.onProgress?.(progress);
  for (const v of versions.values()) {
    if (opts.signal?.aborted) break;
    const wrong = (v.chunks ?? [])
      .map((id) => chunkProblem(id, index.locations(id), packs))
      .find((p) => p !== undefined);
    if (!v.chunks && v.size > 0) report(v, 'missing', 'the snapshot lists no chunks for this file');
    else if (wrong) report(v, wrong.kind, wrong.detail);
    else if (opts.deep && inWindow(placeOf(v.current), opts.sample.start, opts.sample.width)) {
      try {
        const hash = createHash('sha256');
        for (const id of v.chunks ?? []) {
          const plain = await reader.read(id);
          hash.update(plain);
          out.bytesRead += plain.length;
          progress.bytesRead = out.bytesRead;
        }
        out.objectsRead++;
        const sha = hash.digest('hex');
        if (sha !== v.sha256)
          report(
            v,
            'checksum',
            `its chunks read as SHA-256 ${sha.slice(0, 12)}…, the snapshot says ${v.sha256.slice(0, 12)}…`,
          );
      } catch (err) {
        report(v, err instanceof StrataError && err.code === 'not-found' ? 'missing' : 'checksum', describeError(err));
      }
    }
    progress.done++;
    if (progress.done % 50 === 0 || progress.done === progress.total) opts.onProgress?.(progress);
  }
}

/** A chunk is fine when any of its copies is (a read falls back to the next); else the preferred copy's problem. */
function chunkProblem(
  id: string,
  locations: BlobLocation[],
  packs: Map<string, number>,
): { kind: VerifyProblem['kind']; detail: string } | undefined {
  if (!locations.length)
    return { kind: 'missing', detail: `chunk ${id.slice(0, 12)}… is in no index file of the vault` };
  const problems = locations.map((loc) => copyProblem(id, loc, packs));
  return problems.includes(undefined) ? undefined : problems[0];
}

function copyProblem(
  id: string,
  loc: BlobLocation,
  packs: Map<string, number>,
): { kind: VerifyProblem['kind']; detail: string } | undefined {
  const size = packs.get(loc.packId);
  if (size === undefined) return { kind: 'missing', detail: `${packKey(loc.packId)} is not on the destination` };
  if (loc.offset + loc.length > size) {
    return {
      kind: 'size',
      detail: `${packKey(loc.packId)} holds ${size} bytes, too few for chunk ${id.slice(0, 12)}…`,
    };
  }
  return undefined;
}
