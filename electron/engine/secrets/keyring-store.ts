import { createHash, randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { StrataError } from '../../../shared/errors.js';
import { assertSecretName, type SecretStore } from './secret-store.js';

export const KEYRING_SERVICE = 'strata-backup';

/** The slice of `@napi-rs/keyring`'s AsyncEntry this store uses; injectable for tests. */
export interface KeyringEntry {
  getPassword(): Promise<string | null>;
  setPassword(value: string): Promise<void>;
  deletePassword(): Promise<boolean>;
}

export type KeyringEntryFactory = (service: string, account: string) => Promise<KeyringEntry>;

/** Loaded lazily so a platform without the native binding can still use the vault. */
export const nativeKeyringEntry: KeyringEntryFactory = async (service, account) => {
  const { AsyncEntry } = await import('@napi-rs/keyring');
  // On Linux the library otherwise falls back to the kernel keyring, which forgets
  // everything at logout or reboot; a backup credential must outlive both.
  const options = process.platform === 'linux' ? { linux: { store: 'secret-service' as const } } : undefined;
  return new AsyncEntry(service, account, options);
};

/** One keychain service per STRATA_HOME, so two homes (or a test home) never share entries. */
export function keyringService(home: string): string {
  const digest = createHash('sha256').update(resolve(home)).digest('hex').slice(0, 16);
  return `${KEYRING_SERVICE}/${digest}`;
}

export interface KeyringProbeOptions {
  /** A keychain that takes longer than this (e.g. waiting on an unlock dialog) counts as absent. */
  timeoutMs?: number;
  entry?: KeyringEntryFactory;
}

export class KeyringStore implements SecretStore {
  readonly kind = 'keyring';
  readonly service: string;
  readonly #entry: KeyringEntryFactory;

  constructor(options: { home: string; entry?: KeyringEntryFactory }) {
    this.service = keyringService(options.home);
    this.#entry = options.entry ?? nativeKeyringEntry;
  }

  async get(name: string): Promise<string | undefined> {
    assertSecretName(name);
    try {
      const value = await (await this.#entry(this.service, name)).getPassword();
      return value ?? undefined;
    } catch (err) {
      throw keychainError('read', name, err);
    }
  }

  async set(name: string, value: string): Promise<void> {
    assertSecretName(name);
    try {
      await (await this.#entry(this.service, name)).setPassword(value);
    } catch (err) {
      throw keychainError('store', name, err);
    }
  }

  async delete(name: string): Promise<void> {
    assertSecretName(name);
    try {
      await (await this.#entry(this.service, name)).deletePassword();
    } catch (err) {
      throw keychainError('delete', name, err);
    }
  }

  /** True when a keychain stores, returns and deletes a throwaway entry within the time limit. */
  static async probe(options: KeyringProbeOptions = {}): Promise<boolean> {
    const entryFactory = options.entry ?? nativeKeyringEntry;
    const account = `probe-${process.pid}-${randomBytes(6).toString('hex')}`;
    const token = randomBytes(12).toString('hex');
    const attempt = (async () => {
      const entry = await entryFactory(KEYRING_SERVICE, account);
      await entry.setPassword(token);
      try {
        return (await entry.getPassword()) === token;
      } finally {
        await entry.deletePassword();
      }
    })().catch(() => false);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((done) => {
      timer = setTimeout(() => done(false), options.timeoutMs ?? 5000);
      timer.unref();
    });
    try {
      return await Promise.race([attempt, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function keychainError(verb: string, name: string, cause: unknown): StrataError {
  // The native message names the platform failure (locked, no service); it never carries the value.
  const why = cause instanceof Error ? `: ${cause.message}` : '';
  return new StrataError(
    'io',
    `the OS keychain could not ${verb} the secret ${name}${why}`,
    'unlock the keychain, or set STRATA_SECRET_STORE=vault to keep secrets in a passphrase vault',
    { cause },
  );
}
