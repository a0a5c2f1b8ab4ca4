/** `strata restore --dry-run`: the per-file plan straight from the manifest, nothing written. */
import { resolve } from 'node:path';
import { normalizeFolder } from '../../../shared/paths.js';
import type { Engine } from '../engine.js';
import { ManifestFile } from '../repository/manifest-reader.js';
import type { SnapshotInfo } from '../repository/snapshot-list.js';
import { compileRestoreFilter, type RestoreFilter } from './restore-filter.js';
import { planRestore, type PlanItem, type RestorePlan } from './restore-plan.js';
import type { ConflictRule } from './restore.js';
import type { IndexedFile } from './snapshot-index.js';

export interface DryRunOptions {
  dest: string;
  snapshot: string;
  source?: string | undefined;
  filter: RestoreFilter;
  /** A folder, or a bucket (an S3 destination or bucket source) with a key prefix. */
  to?: string | undefined;
  toBucket?: string | undefined;
  prefix?: string | undefined;
  conflict: ConflictRule;
  onItem: (item: PlanItem) => void;
}

export async function dryRunRestore(
  engine: Engine,
  o: DryRunOptions,
): Promise<{ snapshot: SnapshotInfo; plan: RestorePlan }> {
  const snapshot = await engine.snapshotFor(o.dest, o.snapshot, o.source);
  const dest = await engine.openDestination(engine.catalog.destination(o.dest));
  const bucket = o.toBucket !== undefined ? await engine.openBucket(o.toBucket) : undefined;
  try {
    const mf = await ManifestFile.fetch(dest, snapshot.manifestKey, engine.tmpDir);
    try {
      const plan = await planRestore({
        entries: asIndexed(mf),
        wanted: compileRestoreFilter(o.filter),
        target: bucket
          ? { kind: 'bucket', bucket, prefix: normalizeFolder(o.prefix ?? '') }
          : { kind: 'folder', root: resolve(o.to!) },
        conflict: o.conflict,
        limit: 0,
        onItem: o.onItem,
      });
      return { snapshot, plan };
    } finally {
      await mf.dispose();
    }
  } finally {
    await dest.close();
    await bucket?.close();
  }
}

async function* asIndexed(mf: ManifestFile): AsyncGenerator<IndexedFile> {
  for await (const e of mf.entries()) {
    yield {
      path: e.path,
      type: e.type,
      size: e.size ?? 0,
      mtime: e.mtime,
      sha256: e.sha256 ?? null,
      raw: e.raw ?? null,
    };
  }
}
