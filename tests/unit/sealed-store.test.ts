import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adoptSecrets, SealedDbStore, type OsCipher } from '../../electron/engine/secrets/sealed-db-store.js';
import { MemoryStore } from '../../electron/engine/secrets/memory-store.js';
import { openDatabase } from '../../electron/engine/store/database.js';
import { tempDirs } from '../support/temp-dirs.js';

const temp = tempDirs('strata-sealed-');

/** Stands in for safeStorage: real encryption under a key this process holds. */
function fakeCipher(available = true): OsCipher {
  const key = randomBytes(32);
  return {
    label: 'the test keychain',
    isEncryptionAvailable: () => available,
    encryptString(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decryptString(sealed) {
      const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
      d.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([d.update(sealed.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

describe('SealedDbStore (secrets sealed by the OS, kept in SQLite)', () => {
  it('keeps only ciphertext in the database and reads it back', async () => {
    const dir = await temp();
    const db = openDatabase(join(dir, 'strata.db'));
    const store = new SealedDbStore(db, fakeCipher());
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    await store.set('dest/b2-1/secret-access-key', secret);
    expect(await store.get('dest/b2-1/secret-access-key')).toBe(secret);
    expect(await store.get('dest/none/secret-access-key')).toBeUndefined();
    db.pragma('wal_checkpoint(TRUNCATE)');
    const onDisk = Buffer.concat([
      await readFile(join(dir, 'strata.db')),
      await readFile(join(dir, 'strata.db-wal')).catch(() => Buffer.alloc(0)),
    ]);
    expect(onDisk.includes(Buffer.from(secret))).toBe(false);
    await store.delete('dest/b2-1/secret-access-key');
    expect(store.names()).toEqual([]);
    db.close();
  });

  it('refuses to exist where the OS cannot encrypt (the caller falls back to the vault, never plaintext)', async () => {
    const db = openDatabase(join(await temp(), 'strata.db'));
    expect(() => new SealedDbStore(db, fakeCipher(false))).toThrow(/cannot encrypt/);
    db.close();
  });

  it('says what to do when a sealed secret can no longer be opened', async () => {
    const db = openDatabase(join(await temp(), 'strata.db'));
    await new SealedDbStore(db, fakeCipher()).set('dest/x/secret-access-key', 'v');
    // Another OS key (new account, reset keychain) cannot unseal it.
    await expect(new SealedDbStore(db, fakeCipher()).get('dest/x/secret-access-key')).rejects.toMatchObject({
      code: 'auth',
      message: expect.stringMatching(/can no longer be unsealed/),
      hint: expect.stringMatching(/enter the secret again/),
    });
    db.close();
  });

  it('adopts secrets created headless on the first desktop start, keeping the originals', async () => {
    const db = openDatabase(join(await temp(), 'strata.db'));
    const sealed = new SealedDbStore(db, fakeCipher());
    const old = new MemoryStore();
    await old.set('dest/a/secret-access-key', 'A');
    await old.set('dest/b/secret-access-key', 'B');
    await sealed.set('dest/b/secret-access-key', 'B-newer');
    const r = await adoptSecrets(sealed, old, [
      'dest/a/secret-access-key',
      'dest/b/secret-access-key',
      'dest/c/secret-access-key',
    ]);
    expect(r).toEqual({ moved: ['dest/a/secret-access-key'], unreadable: [] });
    expect(await sealed.get('dest/a/secret-access-key')).toBe('A');
    expect(await sealed.get('dest/b/secret-access-key')).toBe('B-newer');
    expect(await old.get('dest/a/secret-access-key')).toBe('A');
    db.close();
  });
});
