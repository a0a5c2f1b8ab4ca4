import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StrataError } from '../../shared/errors.js';
import {
  KeyringStore,
  keyringService,
  type KeyringEntry,
  type KeyringEntryFactory,
} from '../../electron/engine/secrets/keyring-store.js';
import { MemoryStore } from '../../electron/engine/secrets/memory-store.js';
import { openSecretStore } from '../../electron/engine/secrets/open-secret-store.js';
import { promptHidden, type HiddenInput } from '../../electron/engine/secrets/prompt-hidden.js';
import { destinationSecretName } from '../../electron/engine/secrets/secret-store.js';
import { DEFAULT_SCRYPT, vaultPath, VaultStore, type ScryptParams } from '../../electron/engine/secrets/vault-store.js';

const FAST: ScryptParams = { N: 2 ** 12, r: 8, p: 1 };
const PASS = 'correct horse battery staple';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const NAME = destinationSecretName('d-1');

let home: string;
let path: string;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'strata-secrets-'));
  path = vaultPath(home);
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<StrataError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StrataError);
  return err as StrataError;
}

function expectNoSecret(err: StrataError, ...secrets: string[]): void {
  const text = `${err.message} ${err.hint ?? ''} ${err.stack ?? ''} ${String((err.cause as Error | undefined)?.message ?? '')}`;
  for (const s of secrets) expect(text).not.toContain(s);
}

async function editVault(edit: (file: Record<string, unknown>) => void): Promise<void> {
  const file = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  edit(file);
  await writeFile(path, JSON.stringify(file));
}

describe('VaultStore', () => {
  it('round-trips, deletes, and answers undefined for unknown names', async () => {
    const vault = await VaultStore.open({ path, passphrase: PASS, kdf: FAST });
    expect(vault.kind).toBe('vault');
    expect(await vault.get(NAME)).toBeUndefined();
    await vault.set(NAME, SECRET);
    await vault.set('dest/d-2/secret-access-key', 'ünïcødé ✓');
    expect(await vault.get(NAME)).toBe(SECRET);
    expect(await vault.get('dest/d-2/secret-access-key')).toBe('ünïcødé ✓');
    await vault.delete(NAME);
    await vault.delete(NAME);
    expect(await vault.get(NAME)).toBeUndefined();
    expect(await vault.get('dest/d-2/secret-access-key')).toBe('ünïcødé ✓');
  });

  it('keeps values across reopen, and two open instances see each other', async () => {
    const a = await VaultStore.open({ path, passphrase: PASS, kdf: FAST });
    await a.set(NAME, SECRET);
    const b = await VaultStore.open({ path, passphrase: PASS, kdf: FAST });
    expect(await b.get(NAME)).toBe(SECRET);
    await b.set('dest/d-2/secret-access-key', 'second');
    expect(await a.get('dest/d-2/secret-access-key')).toBe('second');
  });

  it('loses no update when sets run concurrently', async () => {
    const vault = await VaultStore.open({ path, passphrase: PASS, kdf: FAST });
    await Promise.all(Array.from({ length: 8 }, (_, i) => vault.set(`dest/d-${i}/secret-access-key`, `v${i}`)));
    const reopened = await VaultStore.open({ path, passphrase: PASS, kdf: FAST });
    for (let i = 0; i < 8; i++) expect(await reopened.get(`dest/d-${i}/secret-access-key`)).toBe(`v${i}`);
  });

  it('refuses a wrong passphrase with a passphrase error that carries no secret', async () => {
    await (await VaultStore.open({ path, passphrase: PASS, kdf: FAST })).set(NAME, SECRET);
    const err = await rejection(VaultStore.open({ path, passphrase: 'wrong passphrase', kdf: FAST }));
    expect(err.code).toBe('passphrase');
    expect(err.message).toBe(`the passphrase does not open the secret vault at ${path}`);
    expect(err.hint).toContain('STRATA_PASSPHRASE');
    expectNoSecret(err, SECRET, PASS, 'wrong passphrase');
  });

  it('refuses an empty passphrase', async () => {
    expect((await rejection(VaultStore.open({ path, passphrase: '' }))).code).toBe('passphrase');
  });

  it('detects tampered ciphertext and tag through GCM authentication', async () => {
    await (await VaultStore.open({ path, passphrase: PASS, kdf: FAST })).set(NAME, SECRET);
    const original = await readFile(path, 'utf8');
    await editVault((f) => {
      const data = Buffer.from(f.data as string, 'base64');
      data[3] = (data[3] ?? 0) ^ 0x01;
      f.data = data.toString('base64');
    });
    const err = await rejection(VaultStore.open({ path, passphrase: PASS, kdf: FAST }));
    expect(err.code).toBe('tampered');
    expectNoSecret(err, SECRET, PASS);

    await writeFile(path, original);
    await editVault((f) => {
      const tag = Buffer.from(f.tag as string, 'base64');
      tag[0] = (tag[0] ?? 0) ^ 0x80;
      f.tag = tag.toString('base64');
    });
    expect((await rejection(VaultStore.open({ path, passphrase: PASS, kdf: FAST }))).code).toBe('tampered');
  });

  it('refuses a newer format version', async () => {
    await (await VaultStore.open({ path, passphrase: PASS, kdf: FAST })).set(NAME, SECRET);
    await editVault((f) => {
      f.version = 2;
    });
    const err = await rejection(VaultStore.open({ path, passphrase: PASS, kdf: FAST }));
    expect(err.code).toBe('format-too-new');
    expect(err.message).toContain('version 2');
  });

  it('reports a damaged file clearly, without echoing its contents', async () => {
    await writeFile(path, `{"format":"strata-secret-vault","version":1, ${SECRET}`);
    const notJson = await rejection(VaultStore.open({ path, passphrase: PASS }));
    expect(notJson.code).toBe('corrupt');
    expect(notJson.message).toContain('not valid JSON');
    expectNoSecret(notJson, SECRET);

    await writeFile(path, JSON.stringify({ hello: 'world' }));
    expect((await rejection(VaultStore.open({ path, passphrase: PASS }))).message).toContain(
      'not a Strata secret vault',
    );

    await (await VaultStore.open({ path: join(home, 'v2'), passphrase: PASS, kdf: FAST })).set(NAME, SECRET);
    const good = JSON.parse(await readFile(join(home, 'v2'), 'utf8')) as Record<string, unknown>;
    await writeFile(path, JSON.stringify({ ...good, iv: 'AAAA' }));
    expect((await rejection(VaultStore.open({ path, passphrase: PASS }))).message).toContain('IV');
    await writeFile(path, JSON.stringify({ ...good, kdf: { ...(good.kdf as object), N: 2 ** 30 } }));
    expect((await rejection(VaultStore.open({ path, passphrase: PASS }))).code).toBe('corrupt');
  });

  it.skipIf(process.platform === 'win32')('writes the file with mode 0600 and leaves no temp file', async () => {
    const vault = await VaultStore.open({ path, passphrase: PASS, kdf: FAST });
    await vault.set(NAME, SECRET);
    await vault.set(NAME, `${SECRET}-2`);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(home)).toEqual(['secrets.vault']);
  });

  it('never stores names or values in plaintext, and uses a fresh IV per write', async () => {
    const vault = await VaultStore.open({ path, passphrase: PASS });
    await vault.set(NAME, SECRET);
    const first = await readFile(path, 'utf8');
    await vault.set(NAME, SECRET);
    const second = await readFile(path, 'utf8');
    for (const text of [first, second]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(Buffer.from(SECRET).toString('base64').slice(0, 20));
      expect(text).not.toContain(NAME);
      expect(text).not.toContain(PASS);
    }
    const a = JSON.parse(first) as { iv: string; data: string; version: number; kdf: ScryptParams & { salt: string } };
    const b = JSON.parse(second) as typeof a;
    expect(a.iv).not.toBe(b.iv);
    expect(a.data).not.toBe(b.data);
    expect(a.version).toBe(1);
    expect(a.kdf).toMatchObject(DEFAULT_SCRYPT);
    expect(DEFAULT_SCRYPT.N).toBeGreaterThanOrEqual(2 ** 15);
    expect(Buffer.from(a.kdf.salt, 'base64').length).toBeGreaterThanOrEqual(16);
  });

  it('raises the stored scrypt cost at the next write when opened with a higher one', async () => {
    await (await VaultStore.open({ path, passphrase: PASS, kdf: FAST })).set(NAME, SECRET);
    const stronger = { N: 2 ** 13, r: 8, p: 1 };
    const vault = await VaultStore.open({ path, passphrase: PASS, kdf: stronger });
    await vault.set('dest/d-2/secret-access-key', 'x');
    const header = JSON.parse(await readFile(path, 'utf8')) as { kdf: ScryptParams };
    expect(header.kdf).toMatchObject(stronger);
    expect(await (await VaultStore.open({ path, passphrase: PASS, kdf: FAST })).get(NAME)).toBe(SECRET);
  });
});

describe('MemoryStore', () => {
  it('round-trips and deletes', async () => {
    const store = new MemoryStore({ [NAME]: SECRET });
    expect(store.kind).toBe('memory');
    expect(await store.get(NAME)).toBe(SECRET);
    await store.set(NAME, 'other');
    expect(await store.get(NAME)).toBe('other');
    await store.delete(NAME);
    expect(await store.get(NAME)).toBeUndefined();
  });

  it('rejects malformed names', async () => {
    await expect(new MemoryStore().set('../x', 'v')).rejects.toThrow(StrataError);
    await expect(new MemoryStore().get('')).rejects.toThrow(StrataError);
  });
});

/** A map-backed keychain, as `@napi-rs/keyring` would behave with a working Secret Service. */
function fakeKeychain(): { entries: Map<string, string>; factory: KeyringEntryFactory } {
  const entries = new Map<string, string>();
  const factory: KeyringEntryFactory = async (service, account) => {
    const key = `${service}|${account}`;
    const entry: KeyringEntry = {
      getPassword: async () => entries.get(key) ?? null,
      setPassword: async (value) => void entries.set(key, value),
      deletePassword: async () => entries.delete(key),
    };
    return entry;
  };
  return { entries, factory };
}

describe('KeyringStore', () => {
  it('keeps each STRATA_HOME in its own service', async () => {
    const { entries, factory } = fakeKeychain();
    const one = new KeyringStore({ home: join(home, 'one'), entry: factory });
    const two = new KeyringStore({ home: join(home, 'two'), entry: factory });
    expect(one.service).not.toBe(two.service);
    expect(one.service).toMatch(/^strata-backup\/[0-9a-f]{16}$/);
    expect(keyringService(join(home, 'one', '.'))).toBe(one.service);
    await one.set(NAME, SECRET);
    expect(await one.get(NAME)).toBe(SECRET);
    expect(await two.get(NAME)).toBeUndefined();
    await one.delete(NAME);
    expect(entries.size).toBe(0);
  });

  it('turns keychain failures into a StrataError without the value', async () => {
    const failing: KeyringEntryFactory = async () => ({
      getPassword: async () => {
        throw new Error('Platform failure: locked');
      },
      setPassword: async () => {
        throw new Error('Platform failure: locked');
      },
      deletePassword: async () => false,
    });
    const err = await rejection(new KeyringStore({ home, entry: failing }).set(NAME, SECRET));
    expect(err.code).toBe('io');
    expect(err.hint).toContain('STRATA_SECRET_STORE=vault');
    expectNoSecret(err, SECRET);
  });

  it('probe: true for a working keychain, false for a failing or hanging one', async () => {
    expect(await KeyringStore.probe({ entry: fakeKeychain().factory })).toBe(true);
    const throwing: KeyringEntryFactory = async () => {
      throw new Error('DBus error: no session bus');
    };
    expect(await KeyringStore.probe({ entry: throwing })).toBe(false);
    const hanging: KeyringEntryFactory = () => new Promise<KeyringEntry>(() => undefined);
    const started = Date.now();
    expect(await KeyringStore.probe({ entry: hanging, timeoutMs: 50 })).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('probe of the real keychain gives an answer on this machine', async () => {
    const started = performance.now();
    const answer = await KeyringStore.probe();
    console.log(
      `keyring probe on this machine: ${answer ? 'answers' : 'absent'} in ${(performance.now() - started).toFixed(1)} ms`,
    );
    expect(typeof answer).toBe('boolean');
  });
});

describe('openSecretStore', () => {
  const never = async (): Promise<boolean> => {
    throw new Error('the keyring must not be probed here');
  };

  it('STRATA_SECRET_STORE=vault forces the vault without probing the keyring', async () => {
    const store = await openSecretStore({
      home,
      env: { STRATA_SECRET_STORE: 'vault', STRATA_PASSPHRASE: PASS },
      probeKeyring: never,
      kdf: FAST,
    });
    expect(store.kind).toBe('vault');
    await store.set(NAME, SECRET);
    expect(await (await VaultStore.open({ path, passphrase: PASS })).get(NAME)).toBe(SECRET);
  });

  it('uses the keyring when it answers', async () => {
    const store = await openSecretStore({
      home,
      env: {},
      probeKeyring: async () => true,
      keyringEntry: fakeKeychain().factory,
      interactive: false,
    });
    expect(store.kind).toBe('keyring');
  });

  it('falls back to the vault when the keyring probe fails', async () => {
    const store = await openSecretStore({
      home,
      env: { STRATA_PASSPHRASE: PASS },
      probeKeyring: async () => false,
      kdf: FAST,
    });
    expect(store.kind).toBe('vault');
  });

  it('keeps using an existing vault even when a keyring answers', async () => {
    await (await VaultStore.open({ path, passphrase: PASS, kdf: FAST })).set(NAME, SECRET);
    const store = await openSecretStore({ home, env: { STRATA_PASSPHRASE: PASS }, probeKeyring: never });
    expect(store.kind).toBe('vault');
    expect(await store.get(NAME)).toBe(SECRET);
  });

  it('STRATA_SECRET_STORE=keyring fails clearly when no keyring answers', async () => {
    const err = await rejection(
      openSecretStore({ home, env: { STRATA_SECRET_STORE: 'keyring' }, probeKeyring: async () => false }),
    );
    expect(err.code).toBe('config');
    expect(err.message).toContain('no OS keychain answers');
  });

  it('refuses an unknown STRATA_SECRET_STORE', async () => {
    expect(
      (await rejection(openSecretStore({ home, env: { STRATA_SECRET_STORE: 'plaintext' }, probeKeyring: never }))).code,
    ).toBe('config');
  });

  it('with no passphrase and no TTY says how to give one', async () => {
    let asked = false;
    const err = await rejection(
      openSecretStore({
        home,
        env: {},
        probeKeyring: async () => false,
        interactive: false,
        prompt: async () => {
          asked = true;
          return PASS;
        },
      }),
    );
    expect(asked).toBe(false);
    expect(err.code).toBe('passphrase');
    expect(err.message).toBe('no passphrase for the secret vault');
    expect(err.hint).toBe('set STRATA_PASSPHRASE or run in a terminal');
  });

  it('asks twice for a new vault and refuses differing answers', async () => {
    const answers = ['first', 'second'];
    const questions: string[] = [];
    const prompt = async (q: string): Promise<string> => {
      questions.push(q);
      return answers.shift() ?? '';
    };
    const err = await rejection(
      openSecretStore({ home, env: {}, probeKeyring: async () => false, interactive: true, prompt }),
    );
    expect(err.code).toBe('passphrase');
    expect(questions).toHaveLength(2);
    expectNoSecret(err, 'first', 'second');

    answers.push(PASS, PASS);
    const store = await openSecretStore({
      home,
      env: {},
      probeKeyring: async () => false,
      interactive: true,
      prompt,
      kdf: FAST,
    });
    await store.set(NAME, SECRET);
    expect(await (await VaultStore.open({ path, passphrase: PASS })).get(NAME)).toBe(SECRET);
  });

  it('asks once for an existing vault and lets a mistyped passphrase be retried', async () => {
    await (await VaultStore.open({ path, passphrase: PASS, kdf: FAST })).set(NAME, SECRET);
    const answers = ['typo', PASS];
    const questions: string[] = [];
    const store = await openSecretStore({
      home,
      env: {},
      probeKeyring: never,
      interactive: true,
      prompt: async (q) => {
        questions.push(q);
        return answers.shift() ?? '';
      },
    });
    expect(questions).toHaveLength(2);
    expect(await store.get(NAME)).toBe(SECRET);
  });
});

/** A stand-in for a TTY stdin: raw mode is recorded, keys are fed by the test. */
class FakeTty extends EventEmitter implements HiddenInput {
  isTTY = true;
  isRaw = false;
  rawHistory: boolean[] = [];
  setRawMode(mode: boolean): this {
    this.isRaw = mode;
    this.rawHistory.push(mode);
    return this;
  }
  setEncoding(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  pause(): this {
    return this;
  }
}

describe('promptHidden', () => {
  it('reads a line without echoing it, handling backspace and unicode, and restores the terminal', async () => {
    const input = new FakeTty();
    let shown = '';
    const answer = promptHidden('Passphrase: ', { input, output: { write: (t: string) => (shown += t) } });
    input.emit('data', 'pässwo');
    input.emit('data', 'rx\u007fd€\r');
    expect(await answer).toBe('pässword€');
    expect(shown).toBe('Passphrase: \n');
    expect(input.rawHistory).toEqual([true, false]);
    expect(input.listenerCount('data')).toBe(0);
  });

  it('treats Ctrl-C as cancel', async () => {
    const input = new FakeTty();
    const answer = promptHidden('? ', { input, output: { write: () => undefined } });
    input.emit('data', 'abc\u0003');
    expect((await rejection(answer)).code).toBe('passphrase');
    expect(input.isRaw).toBe(false);
  });

  it('refuses when the input is not a terminal', async () => {
    const input = new FakeTty();
    input.isTTY = false;
    expect((await rejection(promptHidden('? ', { input, output: { write: () => undefined } }))).code).toBe(
      'passphrase',
    );
  });
});
