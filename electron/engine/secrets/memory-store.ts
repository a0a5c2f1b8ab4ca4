import { assertSecretName, type SecretStore } from './secret-store.js';

/** Secrets held in this process only: for tests and dry runs that must not touch the keychain. */
export class MemoryStore implements SecretStore {
  readonly kind = 'memory';
  readonly #values = new Map<string, string>();

  constructor(initial?: Record<string, string>) {
    for (const [name, value] of Object.entries(initial ?? {})) {
      assertSecretName(name);
      this.#values.set(name, value);
    }
  }

  async get(name: string): Promise<string | undefined> {
    assertSecretName(name);
    return this.#values.get(name);
  }

  async set(name: string, value: string): Promise<void> {
    assertSecretName(name);
    this.#values.set(name, value);
  }

  async delete(name: string): Promise<void> {
    assertSecretName(name);
    this.#values.delete(name);
  }
}
