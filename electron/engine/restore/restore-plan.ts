/**
 * The dry run: what a restore would do with each selected file, without writing anything. A file
 * whose place is free is written; one in the way is skipped, overwritten or kept beside under a
 * new name by the conflict rule; one that already holds the same content is left alone. "The same
 * content" is judged by size and modification time here (hashing every existing file would make a
 * preview as slow as the restore); the restore itself decides by SHA-256.
 */
import { lstat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import pLimit from 'p-limit';
import type { Destination } from '../destinations/types.js';
import type { ManifestEntry } from '../repository/manifest-schema.js';
import type { Filterable } from './restore-filter.js';
import type { ConflictRule } from './restore.js';
import { keepBothName, parentOf, targetPathOf } from './restore-target.js';
import type { IndexedFile } from './snapshot-index.js';

export type PlanAction = 'write' | 'skip' | 'overwrite' | 'keep-both' | 'identical';

export interface PlanItem {
  path: string;
  size: number;
  action: PlanAction;
  /** keep-both: the name the restored copy gets beside the existing file. */
  renamedTo?: string | undefined;
}

export interface RestorePlan {
  files: number;
  bytes: number;
  counts: Record<PlanAction, number>;
  /** Bytes that will be downloaded (everything not skipped or already there). */
  egressBytes: number;
  /** The first `limit` items, in manifest order. */
  items: PlanItem[];
}

export type PlanTarget = { kind: 'folder'; root: string } | { kind: 'bucket'; bucket: Destination; prefix: string };

export interface PlanOptions {
  entries: AsyncIterable<IndexedFile>;
  wanted: (e: Filterable) => boolean;
  target: PlanTarget;
  conflict: ConflictRule;
  /** Items kept in the answer (the counts cover all); Infinity for the CLI's full listing. */
  limit: number;
  /** Every item as it is decided (the CLI prints them as they come). */
  onItem?: (item: PlanItem) => void;
}

export async function planRestore(o: PlanOptions): Promise<RestorePlan> {
  const plan: RestorePlan = {
    files: 0,
    bytes: 0,
    counts: { write: 0, skip: 0, overwrite: 0, 'keep-both': 0, identical: 0 },
    egressBytes: 0,
    items: [],
  };
  // Lookups run a few at a time (a bucket answers each one over the network), recorded in order.
  const limit = pLimit(o.target.kind === 'bucket' ? 16 : 8);
  let pending: Promise<PlanItem>[] = [];
  const drain = async (): Promise<void> => {
    for (const item of await Promise.all(pending)) {
      plan.counts[item.action]++;
      if (item.action !== 'skip' && item.action !== 'identical') plan.egressBytes += item.size;
      if (plan.items.length < o.limit) plan.items.push(item);
      o.onItem?.(item);
    }
    pending = [];
  };
  for await (const e of o.entries) {
    if (e.type !== 'file' || !o.wanted(e)) continue;
    plan.files++;
    plan.bytes += e.size;
    pending.push(limit(() => decide(o, e)));
    if (pending.length >= 256) await drain();
  }
  await drain();
  return plan;
}

async function decide(o: PlanOptions, e: IndexedFile): Promise<PlanItem> {
  const item = (action: PlanAction, renamedTo?: string): PlanItem => ({
    path: e.path,
    size: e.size,
    action,
    ...(renamedTo !== undefined ? { renamedTo } : {}),
  });
  if (o.target.kind === 'bucket') {
    const key = o.target.prefix ? `${o.target.prefix}/${e.path}` : e.path;
    const there = await o.target.bucket.head(key);
    if (!there) return item('write');
    if (there.size === e.size && there.sha256 === e.sha256) return item('identical');
    return item(o.conflict === 'skip' ? 'skip' : 'overwrite');
  }
  const entry = { path: e.path, type: 'file', mtime: e.mtime, ...(e.raw ? { raw: e.raw } : {}) } as ManifestEntry;
  const target = targetPathOf(o.target.root, entry);
  const st = await lstat(target).catch(() => undefined);
  if (!st) return item('write');
  if (st.isFile() && st.size === e.size && Math.abs(st.mtimeMs - e.mtime) < 1) return item('identical');
  if (o.conflict === 'skip') return item('skip');
  if (o.conflict === 'overwrite') return item('overwrite');
  if (typeof target !== 'string') return item('keep-both');
  for (let n = 1; n < 10_000; n++) {
    const name = keepBothName(basename(target), n);
    if (!(await lstat(join(parentOf(target) as string, name)).catch(() => undefined))) {
      const dir = e.path.includes('/') ? e.path.slice(0, e.path.lastIndexOf('/') + 1) : '';
      return item('keep-both', dir + name);
    }
  }
  return item('keep-both');
}
