/**
 * Where the desktop app keeps secrets: sealed by the OS through safeStorage, as ciphertext in
 * SQLite. Where the OS cannot encrypt (Linux without a keyring, where safeStorage would fall back
 * to a hard-coded key) the passphrase vault is used instead, never plaintext.
 */
import { describeError } from '../../shared/errors.js';
import type { Engine } from '../engine/engine.js';
import { openSecretStore } from '../engine/secrets/open-secret-store.js';
import { adoptSecrets, SealedDbStore, type OsCipher } from '../engine/secrets/sealed-db-store.js';

/** What of Electron's safeStorage this needs. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(cipher: Buffer): string;
  getSelectedStorageBackend?(): string;
}

export interface DesktopSecrets {
  /** In words, for the UI. */
  description: string;
  /** Something the user should know (no OS encryption, secrets that could not be moved). */
  warning?: string;
}

export function osCipher(safe: SafeStorageLike, platform: NodeJS.Platform): OsCipher {
  const label =
    platform === 'darwin' ? 'the macOS Keychain' : platform === 'win32' ? 'Windows DPAPI' : 'the desktop keyring';
  return {
    label,
    isEncryptionAvailable() {
      if (!safe.isEncryptionAvailable()) return false;
      // 'basic_text' means a key compiled into Chromium: as good as plaintext.
      return platform !== 'linux' || (safe.getSelectedStorageBackend?.() ?? 'unknown') !== 'basic_text';
    },
    encryptString: (plain) => safe.encryptString(plain),
    decryptString: (cipher) => safe.decryptString(cipher),
  };
}

export async function chooseDesktopSecrets(
  engine: Engine,
  safe: SafeStorageLike,
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DesktopSecrets> {
  const cipher = osCipher(safe, platform);
  if (!cipher.isEncryptionAvailable()) {
    return {
      description: 'passphrase vault',
      warning: `${cipher.label} cannot encrypt secrets here, so Strata keeps them in its passphrase vault instead: enter the vault's passphrase to use cloud destinations`,
    };
  }
  const sealed = new SealedDbStore(engine.db, cipher);
  // Secrets saved by a headless `strata` before the first desktop start move over now.
  let warning: string | undefined;
  const wanted = engine.secretNames().filter((n) => !sealed.names().includes(n));
  if (wanted.length) {
    try {
      const old = await openSecretStore({ home: engine.home, env, interactive: false });
      const { unreadable } = await adoptSecrets(sealed, old, wanted);
      if (unreadable.length) warning = `${unreadable.length} saved secret(s) could not be read from the old store`;
    } catch (err) {
      warning = `secrets saved by the command line could not be moved (${describeError(err)}); enter them again in Destinations → Edit`;
    }
  }
  engine.useSecretStore(sealed);
  return { description: `OS keychain (${cipher.label})`, ...(warning ? { warning } : {}) };
}
