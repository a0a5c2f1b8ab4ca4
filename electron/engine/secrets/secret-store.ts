import { StrataError } from '../../../shared/errors.js';

/**
 * Where credentials live. Names are paths such as `dest/<destination-id>/secret-access-key`;
 * values never leave the store except to the code that asked for them.
 */
export interface SecretStore {
  readonly kind: 'keyring' | 'vault' | 'memory' | (string & {});
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
  /** Removing a name that is not there is not an error. */
  delete(name: string): Promise<void>;
}

/** The name under which a destination's secret is stored. */
export function destinationSecretName(destinationId: string, field = 'secret-access-key'): string {
  return `dest/${destinationId}/${field}`;
}

/** A vault's passphrase (the key that unwraps its master key). */
export function vaultSecretName(destinationId: string): string {
  return destinationSecretName(destinationId, 'repo-passphrase');
}

/** A vault's master key as unwrapped by its passphrase, so each process need not run scrypt again. */
export function vaultKeyCacheName(destinationId: string): string {
  return destinationSecretName(destinationId, 'repo-master-cache');
}

export function sourceSecretName(sourceId: string, field = 'secret-access-key'): string {
  return `source/${sourceId}/${field}`;
}

const NAME_PATTERN = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/** Names are printed in errors and used as keychain accounts, so keep them plain. */
export function assertSecretName(name: string): void {
  const dotsOnly = name.split('/').some((part) => /^\.+$/.test(part));
  if (name.length === 0 || name.length > 200 || !NAME_PATTERN.test(name) || dotsOnly) {
    throw new StrataError('internal', `invalid secret name ${JSON.stringify(name.slice(0, 80))}`);
  }
}
