import { z } from 'zod';
import { SNAPSHOT_ID_PATTERN } from './keys.js';

export const MANIFEST_VERSION = 1;

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const ManifestHeaderSchema = z.object({
  snapshotId: z.string().regex(SNAPSHOT_ID_PATTERN),
  sourceId: z.string().min(1),
  sourceName: z.string().min(1),
  sourceKind: z.string(),
  sourceRoot: z.string(),
  hostname: z.string(),
  layout: z.enum(['mirror', 'vault']),
  startedAt: z.string(),
  parent: z.string().nullable(),
  strataVersion: z.string(),
});
export type ManifestHeader = z.infer<typeof ManifestHeaderSchema>;

export const ManifestEntrySchema = z
  .object({
    path: z.string().min(1),
    type: z.enum(['file', 'dir', 'symlink']),
    size: z.number().int().nonnegative().optional(),
    mtime: z.number(),
    mode: z.number().int().nonnegative().optional(),
    sha256: Sha256.optional(),
    target: z.string().optional(),
    /** Base64 of the raw path bytes, for names that are not valid UTF-8. */
    raw: z.string().optional(),
    /** The files/ object key when it is not the default for `path` (very long paths). */
    key: z.string().optional(),
    /** Vault layout: the file's content as blob ids, in order. */
    chunks: z.array(Sha256).optional(),
    /** Bucket sources: the object's Content-Type and user metadata, recreated by a restore into a bucket. */
    contentType: z.string().max(1024).optional(),
    meta: z.record(z.string(), z.string()).optional(),
  })
  .refine((e) => e.type !== 'file' || (e.sha256 !== undefined && e.size !== undefined), {
    message: 'a file entry needs size and sha256',
  })
  .refine((e) => e.type !== 'symlink' || e.target !== undefined, { message: 'a symlink entry needs a target' });
export type ManifestEntry = z.infer<typeof ManifestEntrySchema>;

export const ManifestSummarySchema = z.object({
  finishedAt: z.string(),
  files: z.number().int().nonnegative(),
  dirs: z.number().int().nonnegative(),
  symlinks: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  entries: z.number().int().nonnegative(),
  /** SHA-256 over the entry lines: a cut or edited manifest is caught even when it still parses. */
  entriesSha256: Sha256,
  errors: z.array(z.object({ path: z.string(), error: z.string() })),
  errorCount: z.number().int().nonnegative(),
});
export type ManifestSummary = z.infer<typeof ManifestSummarySchema>;
