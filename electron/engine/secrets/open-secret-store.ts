import { StrataError } from '../../../shared/errors.js';
import { KeyringStore, type KeyringEntryFactory } from './keyring-store.js';
import type { SecretStore } from './secret-store.js';
import { vaultExists, vaultPath, VaultStore, type ScryptParams } from './vault-store.js';

/** A no-echo question on the terminal (see prompt-hidden.ts); injected by the CLI. */
export type PromptFn = (question: string) => Promise<string>;

export interface OpenSecretStoreOptions {
  home: string;
  env?: NodeJS.ProcessEnv;
  prompt?: PromptFn;
  /** Whether a person can answer the prompt; defaults to stdin being a TTY. */
  interactive?: boolean;
  /** Defaults to `KeyringStore.probe()`; injectable so tests don't depend on the machine. */
  probeKeyring?: () => Promise<boolean>;
  keyringEntry?: KeyringEntryFactory;
  /** scrypt cost for a new vault. */
  kdf?: ScryptParams;
}

const PROMPT_ATTEMPTS = 3;

/**
 * STRATA_SECRET_STORE=keyring|vault forces a store. Otherwise an existing vault is kept (its
 * secrets must stay reachable even if a keychain appears later), then the OS keychain if it
 * answers, else a new vault.
 */
export async function openSecretStore(options: OpenSecretStoreOptions): Promise<SecretStore> {
  const env = options.env ?? process.env;
  const forced = env.STRATA_SECRET_STORE?.trim().toLowerCase() || undefined;
  if (forced !== undefined && forced !== 'keyring' && forced !== 'vault') {
    throw new StrataError(
      'config',
      `STRATA_SECRET_STORE is "${forced.slice(0, 40)}"`,
      'set it to keyring or vault, or unset it to choose automatically',
    );
  }
  const probe = options.probeKeyring ?? (() => KeyringStore.probe());
  const keyring = (): KeyringStore =>
    new KeyringStore(
      options.keyringEntry ? { home: options.home, entry: options.keyringEntry } : { home: options.home },
    );

  if (forced === 'keyring') {
    if (!(await probe())) {
      throw new StrataError(
        'config',
        'STRATA_SECRET_STORE=keyring but no OS keychain answers',
        'unlock or start the keychain (on Linux a Secret Service such as gnome-keyring), or unset STRATA_SECRET_STORE to use a passphrase vault',
      );
    }
    return keyring();
  }
  if (forced === undefined && !(await vaultExists(vaultPath(options.home))) && (await probe())) {
    return keyring();
  }
  return openVault(options, env);
}

async function openVault(options: OpenSecretStoreOptions, env: NodeJS.ProcessEnv): Promise<VaultStore> {
  const path = vaultPath(options.home);
  const open = (passphrase: string): Promise<VaultStore> =>
    VaultStore.open(options.kdf ? { path, passphrase, kdf: options.kdf } : { path, passphrase });

  const fromEnv = env.STRATA_PASSPHRASE;
  if (fromEnv) return open(fromEnv);

  const interactive = options.interactive ?? process.stdin.isTTY === true;
  const prompt = options.prompt;
  if (!interactive || !prompt) {
    throw new StrataError(
      'passphrase',
      'no passphrase for the secret vault',
      'set STRATA_PASSPHRASE or run in a terminal',
    );
  }

  if (!(await vaultExists(path))) {
    // A typo here would lock the user out of every stored credential, so confirm it.
    const first = await prompt(`New passphrase for the secret vault at ${path}: `);
    if (first.length === 0) {
      throw new StrataError(
        'passphrase',
        'the passphrase for the secret vault is empty',
        'run again and type a passphrase',
      );
    }
    const second = await prompt('Type the same passphrase again: ');
    if (first !== second) {
      throw new StrataError('passphrase', 'the two passphrases differ', 'run again and type the same passphrase twice');
    }
    return open(first);
  }

  let question = `Passphrase for the secret vault at ${path}: `;
  for (let attempt = 1; ; attempt++) {
    try {
      return await open(await prompt(question));
    } catch (err) {
      if (!(err instanceof StrataError) || err.code !== 'passphrase' || attempt >= PROMPT_ATTEMPTS) throw err;
      question = 'That passphrase does not open the vault. Try again: ';
    }
  }
}
