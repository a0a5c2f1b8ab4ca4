/**
 * The last step of a connection test: what the destination already holds agrees with the layout
 * being added, and for an existing vault the passphrase opens it. So a draft finds out before it
 * is saved, not at its first backup.
 */
import { describeError } from '../../../shared/errors.js';
import { readRepoConfig, type Layout } from '../repository/repo-config.js';
import { openRepoKey, type RepoKeyOptions } from '../vault/repo-key.js';
import type { Destination } from './types.js';

export interface RepositoryStep {
  step: 'repository';
  ok: boolean;
  ms: number;
  error?: string;
}

export async function probeRepository(
  dest: Destination,
  layout: Layout,
  passphrase: string | undefined,
  kdf: RepoKeyOptions = {},
): Promise<RepositoryStep> {
  const started = performance.now();
  const step = (error?: string): RepositoryStep => ({
    step: 'repository',
    ok: error === undefined,
    ms: performance.now() - started,
    ...(error !== undefined ? { error } : {}),
  });
  try {
    const config = await readRepoConfig(dest);
    if (!config) return step(); // empty: a new repository of this layout is created
    if (config.layout !== layout) {
      return step(
        config.layout === 'vault'
          ? 'this location holds a vault: choose the Vault layout and enter its passphrase'
          : 'this location holds a mirror repository: choose the Mirror layout, or another folder or prefix',
      );
    }
    if (layout === 'vault') {
      if (!passphrase) return step('this location holds a vault: enter its passphrase to join it');
      await openRepoKey(config.encryption, passphrase, dest.label, kdf);
    }
    return step();
  } catch (err) {
    return step(describeError(err));
  }
}
