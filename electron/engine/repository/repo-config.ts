import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { StrataError } from '../../../shared/errors.js';
import type { Destination } from '../destinations/types.js';
import { readAll } from '../transfer/read-all.js';
import { sha256Hex } from '../transfer/hashing.js';
import { CONFIG_KEY } from './keys.js';

/** The newest repository format this build reads. */
export const FORMAT_VERSION = 2;
/** What a new mirror is written as: nothing in a mirror changed in v2, so older builds still read new mirrors. */
export const MIRROR_FORMAT_VERSION = 1;
/**
 * What a new vault is written as. v2: chunk ids are the keyed hash of the chunk's SHA-256
 * (`ids: 'keyed-sha256'`), so a file of one chunk is hashed once; v1 vaults keep keyed hashes of
 * the plaintext. A build that reads only v1 refuses a v2 vault rather than misread its ids.
 */
export const VAULT_FORMAT_VERSION = 2;

const ConfigSchema = z.object({
  strata: z.literal('repository'),
  version: z.number().int().positive(),
  id: z.string().min(1),
  layout: z.string(),
  createdAt: z.string(),
  /** mirror: null; vault: the wrapped key's parameters (checked by vault/repo-key.ts). */
  encryption: z.unknown().nullable(),
  /** vault: the chunker's description (vault/chunker.ts), so every machine cuts content the same way. */
  chunking: z.unknown().optional(),
  /** vault v2: how chunk ids are made (see VAULT_FORMAT_VERSION); absent: HMAC of the plaintext. */
  ids: z.literal('keyed-sha256').optional(),
});
export type Layout = 'mirror' | 'vault';
export type RepoConfig = Omit<z.infer<typeof ConfigSchema>, 'layout'> & { layout: Layout };

const LAYOUTS: readonly string[] = ['mirror', 'vault'];

/** Reads strata.json; undefined when the destination holds no repository yet. */
export async function readRepoConfig(dest: Destination): Promise<RepoConfig | undefined> {
  // A GET, not a HEAD: a HEAD's error has no body, so a wrong secret would read as "access denied".
  let body: Buffer;
  try {
    body = await readAll(await dest.get(CONFIG_KEY), 1 << 20);
  } catch (err) {
    if (err instanceof StrataError && err.code === 'not-found') return undefined;
    throw err;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new StrataError(
      'corrupt',
      `${dest.label}/${CONFIG_KEY} is not valid JSON`,
      'restore it from a copy, or point Strata at another prefix',
      { cause: err },
    );
  }
  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > FORMAT_VERSION) {
    throw new StrataError(
      'format-too-new',
      `the repository at ${dest.label} uses format v${version}; this Strata reads up to v${FORMAT_VERSION}`,
      'upgrade Strata to read it (nothing was changed)',
    );
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new StrataError(
      'corrupt',
      `${dest.label}/${CONFIG_KEY} is not a Strata repository description`,
      'check the bucket and prefix point at a Strata repository',
    );
  }
  if (!LAYOUTS.includes(parsed.data.layout)) {
    throw new StrataError(
      'format-too-new',
      `the repository at ${dest.label} uses the '${parsed.data.layout}' layout, which this Strata cannot read`,
      'upgrade Strata to read it',
    );
  }
  return parsed.data as RepoConfig;
}

/** The layout a destination holds must be the one it was added with. */
export function assertLayout(dest: Destination, config: RepoConfig, wanted: Layout): void {
  if (config.layout === wanted) return;
  throw new StrataError(
    'usage',
    `${dest.label} holds a ${config.layout} repository, but this destination was added as a ${wanted} one`,
    `remove the destination and add it again with --layout ${config.layout}, or point it at another prefix`,
  );
}

/** Reads strata.json, writing a new mirror one when the destination is empty (vaults are created when added). */
export async function ensureRepoConfig(dest: Destination, layout: Layout = 'mirror'): Promise<RepoConfig> {
  const existing = await readRepoConfig(dest);
  if (existing) {
    assertLayout(dest, existing, layout);
    return existing;
  }
  if (layout === 'vault') {
    throw new StrataError(
      'not-found',
      `the vault at ${dest.label} has no strata.json`,
      'it was deleted or the prefix changed: point the destination at the vault again, or add it anew',
    );
  }
  const config: RepoConfig = {
    strata: 'repository',
    version: MIRROR_FORMAT_VERSION,
    id: randomUUID(),
    layout: 'mirror',
    createdAt: new Date().toISOString(),
    encryption: null,
  };
  const body = Buffer.from(JSON.stringify(config, null, 2) + '\n');
  await dest.putBuffer(CONFIG_KEY, body, sha256Hex(body));
  return config;
}

/** For restores and listings: the repository must already exist. */
export async function requireRepoConfig(dest: Destination): Promise<RepoConfig> {
  const config = await readRepoConfig(dest);
  if (!config) {
    throw new StrataError(
      'not-found',
      `no Strata repository at ${dest.label}`,
      'check the bucket, prefix or folder; a backup creates the repository on its first run',
    );
  }
  return config;
}
