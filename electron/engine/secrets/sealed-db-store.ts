import { StrataError } from '../../../shared/errors.js';
import type { Db } from '../store/database.js';
import { assertSecretName, type SecretStore } from './secret-store.js';

/**
 * Encryption the operating system does for us (Electron's safeStorage: Keychain, DPAPI,
 * libsecret/kwallet). Injected, so the engine never imports electron.
 */
export interface OsCipher {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(cipher: Buffer): string;
  /** For messages: "macOS Keychain", "Windows DPAPI", "libsecret"… */
  readonly label: string;
}

/** Secrets as OS-sealed ciphertext in the status database. Plaintext never touches SQLite. */
export class SealedDbStore implements SecretStore {
  readonly kind = 'os-sealed';

  constructor(
    private readonly db: Db,
    private readonly cipher: OsCipher,
  ) {
    if (!cipher.isEncryptionAvailable()) {
      throw new StrataError(
        'config',
        `${cipher.label} cannot encrypt on this machine`,
        'Strata uses its passphrase vault instead',
      );
    }
  }

  async get(name: string): Promise<string | undefined> {
    assertSecretName(name);
    const row = this.db.prepare('SELECT ciphertext FROM sealed_secrets WHERE name = ?').get(name) as
      { ciphertext: Buffer } | undefined;
    if (!row) return undefined;
    try {
      return this.cipher.decryptString(row.ciphertext);
    } catch {
      throw new StrataError(
        'auth',
        `a saved secret can no longer be unsealed by ${this.cipher.label}`,
        'the OS key changed (new user account or keychain reset): enter the secret again in Destinations → Edit',
      );
    }
  }

  async set(name: string, value: string): Promise<void> {
    assertSecretName(name);
    const sealed = this.cipher.encryptString(value);
    this.db
      .prepare(
        `INSERT INTO sealed_secrets (name, ciphertext, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET ciphertext = excluded.ciphertext, updated_at = excluded.updated_at`,
      )
      .run(name, sealed, Date.now());
  }

  async delete(name: string): Promise<void> {
    assertSecretName(name);
    this.db.prepare('DELETE FROM sealed_secrets WHERE name = ?').run(name);
  }

  names(): string[] {
    return (this.db.prepare('SELECT name FROM sealed_secrets ORDER BY name').all() as { name: string }[]).map(
      (r) => r.name,
    );
  }
}

/**
 * Moves the secrets of known destinations from the store used headless (keyring or vault) into
 * the sealed store, on the desktop's first start. The old copies are kept: a headless `strata`
 * on the same machine still reads them. Returns the names moved, and those it could not read.
 */
export async function adoptSecrets(
  into: SealedDbStore,
  from: SecretStore,
  names: string[],
): Promise<{ moved: string[]; unreadable: string[] }> {
  const moved: string[] = [];
  const unreadable: string[] = [];
  for (const name of names) {
    if ((await into.get(name)) !== undefined) continue;
    try {
      const value = await from.get(name);
      if (value === undefined) continue;
      await into.set(name, value);
      moved.push(name);
    } catch {
      unreadable.push(name);
    }
  }
  return { moved, unreadable };
}
