/**
 * Creating, opening and re-keying a vault repository: strata.json holds the layout, the chunker's
 * parameters and the master key wrapped under the passphrase (vault/repo-key.ts); nothing secret.
 */
import { randomUUID } from 'node:crypto';
import { StrataError } from '../../../shared/errors.js';
import type { Destination } from '../destinations/types.js';
import { CONFIG_KEY } from '../repository/keys.js';
import { assertLayout, readRepoConfig, VAULT_FORMAT_VERSION, type RepoConfig } from '../repository/repo-config.js';
import { sha256Hex } from '../transfer/hashing.js';
import { createCodec } from './blob-codec.js';
import { chunkingFromDescription, describeChunking } from './chunker.js';
import {
  createRepoKey,
  openRepoKey,
  openRepoKeyCached,
  rewrapRepoKey,
  type MasterKeyCache,
  type RepoKeyOptions,
} from './repo-key.js';
import { VaultDestination } from './vault-destination.js';

async function writeConfig(dest: Destination, config: RepoConfig): Promise<void> {
  const body = Buffer.from(JSON.stringify(config, null, 2) + '\n');
  await dest.putBuffer(CONFIG_KEY, body, sha256Hex(body));
}

/**
 * A destination's vault: created when the destination is empty, else opened (which proves the
 * passphrase). Refuses a destination that holds a mirror repository.
 */
export async function initOrOpenVault(
  dest: Destination,
  passphrase: string,
  options: RepoKeyOptions = {},
  cache?: MasterKeyCache,
): Promise<{ created: boolean; config: RepoConfig }> {
  const existing = await readRepoConfig(dest);
  if (existing) {
    assertLayout(dest, existing, 'vault');
    const ask = () => Promise.resolve(passphrase);
    if (cache) await openRepoKeyCached(existing.encryption, ask, dest.label, cache, options, { checkPassphrase: true });
    else await openRepoKey(existing.encryption, passphrase, dest.label, options);
    return { created: false, config: existing };
  }
  const { params } = await createRepoKey(passphrase, options, cache);
  const config: RepoConfig = {
    strata: 'repository',
    version: VAULT_FORMAT_VERSION,
    id: randomUUID(),
    layout: 'vault',
    createdAt: new Date().toISOString(),
    encryption: params,
    chunking: describeChunking(),
    ids: 'keyed-sha256',
  };
  await writeConfig(dest, config);
  return { created: true, config };
}

/**
 * The vault view of a destination; a wrong passphrase is StrataError('auth') naming the vault. With
 * a cache, a master unwrapped before is used (see openRepoKeyCached) and `passphrase` asked only on a miss.
 */
export async function openVault(
  dest: Destination,
  passphrase: string | (() => Promise<string>),
  options: RepoKeyOptions = {},
  cache?: MasterKeyCache,
): Promise<VaultDestination> {
  const config = await readRepoConfig(dest);
  if (!config) {
    throw new StrataError(
      'not-found',
      `no vault at ${dest.label}`,
      'check the bucket, prefix or folder; a vault is created when its destination is added',
    );
  }
  assertLayout(dest, config, 'vault');
  const ask = typeof passphrase === 'string' ? () => Promise.resolve(passphrase) : passphrase;
  const keys = cache
    ? await openRepoKeyCached(config.encryption, ask, dest.label, cache, options)
    : await openRepoKey(config.encryption, await ask(), dest.label, options);
  const codec = createCodec(keys, config.ids === 'keyed-sha256' ? { digestIds: true } : {});
  return new VaultDestination(dest, codec, chunkingFromDescription(config.chunking));
}

/** A new passphrase for the same master key: strata.json changes, no data does. */
export async function changeVaultPassphrase(
  dest: Destination,
  oldPassphrase: string,
  newPassphrase: string,
  options: RepoKeyOptions = {},
): Promise<void> {
  const config = await readRepoConfig(dest);
  if (!config) throw new StrataError('not-found', `no vault at ${dest.label}`, 'check the destination');
  assertLayout(dest, config, 'vault');
  const encryption = await rewrapRepoKey(config.encryption, oldPassphrase, newPassphrase, dest.label, options);
  await writeConfig(dest, { ...config, encryption });
}
