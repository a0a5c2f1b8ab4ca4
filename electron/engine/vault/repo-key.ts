import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, scrypt } from 'node:crypto';
import { z } from 'zod';
import { StrataError } from '../../../shared/errors.js';

/**
 * The repository key of an encrypted vault. A random 32-byte master secret never leaves
 * memory in the clear: strata.json holds it wrapped (AES-256-GCM) under a key derived from the
 * passphrase with scrypt. The keys in use are derived from the master with HKDF-SHA-256, so
 * the encryption key and the blob-id key are independent and a passphrase change (a rewrap)
 * leaves every stored object and id as it is.
 */

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/** ~128 MiB and about a second per derivation: done once per vault open, so it can be slow. */
export const DEFAULT_KDF: ScryptCost = { N: 2 ** 17, r: 8, p: 1 };

/** Below this a stored key is refused as too weak (tests may opt in down to TEST_MIN_N). */
const MIN_N = 2 ** 14;
const TEST_MIN_N = 2 ** 10;
/** Bounds keep a hostile strata.json from making scrypt eat memory (128·N·r bytes) or hang. */
const MAX_N = 2 ** 22;
const MAX_MEMORY = 1024 ** 3;
const MAX_WORK = 2 ** 26; // N·r·p: 64 times the default

const MASTER_BYTES = 32;
const SALT_BYTES = 16;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const WRAPPED_BYTES = NONCE_BYTES + MASTER_BYTES + TAG_BYTES;
const KEY_ID_BYTES = 8;

const WRAP_AAD = Buffer.from('strata-vault-v1|repo-key');
const HKDF_SALT = Buffer.from('strata-vault-v1');

const WRONG_PASSPHRASE_HINT = 'type the passphrase this vault was created with (STRATA_REPO_PASSPHRASE or the prompt)';
const RESTORE_CONFIG_HINT =
  'restore strata.json from a copy (another destination or a backup of it); Strata did not write this';

/** The keys a BlobCodec needs. The two secrets are non-enumerable, so logging or JSON shows only keyId. */
export interface RepoKeys {
  /** AES-256-GCM key for every object. */
  readonly encryptionKey: Buffer;
  /** HMAC-SHA-256 key for blob ids, so ids reveal nothing about content. */
  readonly idKey: Buffer;
  /** Non-secret fingerprint of the master: tells vaults' keys apart (same after a rewrap). */
  readonly keyId: string;
}

const base64 = (min: number, max: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64')
    .refine(
      (s) => {
        const n = Buffer.from(s, 'base64').length;
        return n >= min && n <= max;
      },
      `must decode to ${min === max ? min : `${min}..${max}`} bytes`,
    );

/** The `encryption` object of strata.json. Parse with parseKeyParams, which also applies the weakness floor. */
export const KeyParamsSchema = z
  .object({
    kdf: z.literal('scrypt'),
    N: z
      .number()
      .int()
      .min(TEST_MIN_N)
      .max(MAX_N)
      .refine((n) => (n & (n - 1)) === 0, 'must be a power of two'),
    r: z.number().int().min(1).max(32),
    p: z.number().int().min(1).max(16),
    salt: base64(SALT_BYTES, 64),
    /** base64 of nonce(12) | ciphertext(32) | tag(16). */
    wrapped: base64(WRAPPED_BYTES, WRAPPED_BYTES),
    keyId: z.string().regex(/^[0-9a-f]{16}$/, 'must be 16 hex digits'),
  })
  .refine((k) => 128 * k.N * k.r <= MAX_MEMORY && k.N * k.r * k.p <= MAX_WORK, 'scrypt cost is absurdly high');
export type KeyParams = z.infer<typeof KeyParamsSchema>;

export interface RepoKeyOptions {
  /**
   * Tests only: create or rewrap with this cheaper scrypt N (2^10 or more), and accept stored
   * keys that weak when opening. Production code never sets it.
   */
  unsafeFastKdfForTests?: { N: number };
}

/**
 * A new vault: a random master, wrapped under `passphrase`. With a cache, the master is kept there
 * (see openRepoKeyCached), so this machine's first backup does not derive it again.
 */
export async function createRepoKey(
  passphrase: string,
  options: RepoKeyOptions = {},
  cache?: MasterKeyCache,
): Promise<{ keys: RepoKeys; params: KeyParams }> {
  return usingMaster(randomBytes(MASTER_BYTES), async (master) => {
    const keys = deriveKeys(master);
    const params = await wrap(master, keys.keyId, checkedPassphrase(passphrase), costFor(options, DEFAULT_KDF));
    if (cache) await remember(cache, params, master);
    return { keys, params };
  });
}

/** Unwraps the master; a wrong passphrase is StrataError('auth'). `label` names the vault in messages. */
export async function openRepoKey(
  params: unknown,
  passphrase: string,
  label: string,
  options: RepoKeyOptions = {},
): Promise<RepoKeys> {
  const parsed = parseKeyParams(params, label, options);
  return usingMaster(await unwrap(parsed, passphrase, label), deriveKeys);
}

/** Runs `use` on a master key, then zeroes it: no copy of a master outlives its use. */
async function usingMaster<T>(master: Buffer, use: (master: Buffer) => T | Promise<T>): Promise<T> {
  try {
    return await use(master);
  } finally {
    master.fill(0);
  }
}

/**
 * Where a machine keeps a vault's unwrapped master between processes (the SecretStore, beside the
 * passphrase that unwraps it, so it exposes nothing the store did not already hold). It saves the
 * scrypt derivation (~1-2 s, 128 MiB) every CLI run and scheduled backup would otherwise pay.
 */
export interface MasterKeyCache {
  get(): Promise<string | undefined>;
  set(value: string): Promise<void>;
}

/**
 * openRepoKey through a cache. The cached master counts only for the exact wrapped key it was
 * unwrapped from (salt, wrapped bytes, fingerprint): after a passphrase change anywhere, the
 * passphrase is asked for and checked again, so a revoked passphrase stops working here too.
 * `passphrase` is only called on a miss. A cache that fails to read or write costs speed, not the open.
 * `checkPassphrase` ignores a cached master (the passphrase must unwrap the key) and refreshes the cache.
 */
export async function openRepoKeyCached(
  params: unknown,
  passphrase: () => Promise<string>,
  label: string,
  cache: MasterKeyCache,
  options: RepoKeyOptions = {},
  { checkPassphrase = false }: { checkPassphrase?: boolean } = {},
): Promise<RepoKeys> {
  const parsed = parseKeyParams(params, label, options);
  const hit = checkPassphrase
    ? undefined
    : await cache.get().then(
        (raw) => cachedMaster(raw, bindingOf(parsed)),
        () => undefined,
      );
  if (hit) {
    const keys = await usingMaster(hit, deriveKeys);
    if (keys.keyId === parsed.keyId) return keys;
  }
  return usingMaster(await unwrap(parsed, await passphrase(), label), async (master) => {
    await remember(cache, parsed, master);
    return deriveKeys(master);
  });
}

/** Keeps an unwrapped master in the cache, bound to the wrapping it came from. */
async function remember(cache: MasterKeyCache, params: KeyParams, master: Buffer): Promise<void> {
  const value = JSON.stringify({ binding: bindingOf(params), master: master.toString('base64') });
  await cache.set(value).catch(() => undefined);
}

function bindingOf(params: KeyParams): string {
  return createHash('sha256')
    .update(`strata-vault-v1|master-cache|${params.keyId}|${params.salt}|${params.wrapped}`)
    .digest('hex');
}

function cachedMaster(raw: string | undefined, binding: string): Buffer | undefined {
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as { binding?: unknown; master?: unknown };
    if (v.binding !== binding || typeof v.master !== 'string') return undefined;
    const master = Buffer.from(v.master, 'base64');
    return master.length === MASTER_BYTES ? master : undefined;
  } catch {
    return undefined;
  }
}

/** A passphrase change: same master (so every object and id stays valid), new salt, never a weaker cost. */
export async function rewrapRepoKey(
  params: unknown,
  oldPassphrase: string,
  newPassphrase: string,
  label: string,
  options: RepoKeyOptions = {},
): Promise<KeyParams> {
  const parsed = parseKeyParams(params, label, options);
  const next = checkedPassphrase(newPassphrase);
  return usingMaster(await unwrap(parsed, oldPassphrase, label), (master) => {
    const stored = { N: parsed.N, r: parsed.r, p: parsed.p };
    const floor = parsed.N * parsed.r * parsed.p > cost(DEFAULT_KDF) ? stored : DEFAULT_KDF;
    return wrap(master, parsed.keyId, next, costFor(options, floor));
  });
}

/** Validates the `encryption` object read from strata.json; StrataError('corrupt') when it is malformed or weak. */
export function parseKeyParams(raw: unknown, label: string, options: RepoKeyOptions = {}): KeyParams {
  const parsed = KeyParamsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? ` (${issue.path.join('.') || 'encryption'}: ${issue.message})` : '';
    throw new StrataError(
      'corrupt',
      `the encryption settings in strata.json at ${label} are malformed or out of range${where}`,
      RESTORE_CONFIG_HINT,
    );
  }
  if (parsed.data.N < MIN_N && !options.unsafeFastKdfForTests) {
    throw new StrataError(
      'corrupt',
      `the vault at ${label} protects its key with scrypt N=${parsed.data.N}, below the ${MIN_N} Strata requires: too weak to trust`,
      RESTORE_CONFIG_HINT,
    );
  }
  return parsed.data;
}

function deriveKeys(master: Buffer): RepoKeys {
  const hkdf = (info: string, bytes: number) =>
    Buffer.from(hkdfSync('sha256', master, HKDF_SALT, `strata-vault-v1|${info}`, bytes));
  const keys = { keyId: hkdf('key-id', KEY_ID_BYTES).toString('hex') };
  Object.defineProperties(keys, {
    encryptionKey: { value: hkdf('encryption', 32), enumerable: false },
    idKey: { value: hkdf('blob-id', 32), enumerable: false },
  });
  return Object.freeze(keys) as RepoKeys;
}

/**
 * The keys spelt out for a worker thread: a structured clone copies only enumerable fields, so
 * `keys` itself would arrive without its secrets. Only for postMessage/workerData, never a log.
 */
export function keysForThread(keys: RepoKeys | null): RepoKeys | null {
  return keys && { keyId: keys.keyId, encryptionKey: keys.encryptionKey, idKey: keys.idKey };
}

async function wrap(master: Buffer, keyId: string, passphrase: string, kdf: ScryptCost): Promise<KeyParams> {
  const salt = randomBytes(SALT_BYTES);
  const kek = await deriveKek(passphrase, salt, kdf);
  try {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', kek, nonce);
    cipher.setAAD(WRAP_AAD);
    const sealed = Buffer.concat([nonce, cipher.update(master), cipher.final(), cipher.getAuthTag()]);
    return {
      kdf: 'scrypt',
      ...kdf,
      salt: salt.toString('base64'),
      wrapped: sealed.toString('base64'),
      keyId,
    };
  } finally {
    kek.fill(0);
  }
}

async function unwrap(params: KeyParams, passphrase: string, label: string): Promise<Buffer> {
  const kek = await deriveKek(passphrase.normalize('NFC'), Buffer.from(params.salt, 'base64'), params);
  const sealed = Buffer.from(params.wrapped, 'base64');
  let master: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, sealed.subarray(0, NONCE_BYTES));
    decipher.setAAD(WRAP_AAD);
    decipher.setAuthTag(sealed.subarray(NONCE_BYTES + MASTER_BYTES));
    master = Buffer.concat([
      decipher.update(sealed.subarray(NONCE_BYTES, NONCE_BYTES + MASTER_BYTES)),
      decipher.final(),
    ]);
  } catch {
    // GCM cannot tell a wrong passphrase from an altered salt or wrapped key; the passphrase is far likelier.
    throw new StrataError('auth', `wrong passphrase for the vault at ${label}`, WRONG_PASSPHRASE_HINT);
  } finally {
    kek.fill(0);
  }
  // The fingerprint is not sealed; a mismatch means strata.json was edited around a valid key.
  if (deriveKeys(master).keyId !== params.keyId) {
    master.fill(0);
    throw new StrataError(
      'corrupt',
      `the key fingerprint in strata.json at ${label} does not match the key it wraps`,
      RESTORE_CONFIG_HINT,
    );
  }
  return master;
}

function deriveKek(passphrase: string, salt: Buffer, { N, r, p }: ScryptCost): Promise<Buffer> {
  // Node refuses when 128·N·r exceeds maxmem; the schema caps that at 1 GiB.
  const maxmem = 128 * N * r + 32 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(passphrase, salt, 32, { N, r, p, maxmem }, (err, key) => {
      if (err) {
        reject(
          new StrataError('internal', `cannot derive the vault key (scrypt N=${N}, r=${r}, p=${p}): ${err.message}`),
        );
      } else {
        resolve(key);
      }
    });
  });
}

function checkedPassphrase(passphrase: string): string {
  if (passphrase.length === 0) {
    throw new StrataError('passphrase', 'the passphrase for the vault is empty', 'choose a non-empty passphrase');
  }
  // NFC so the same passphrase typed on macOS and Windows derives the same key.
  return passphrase.normalize('NFC');
}

function costFor(options: RepoKeyOptions, normal: ScryptCost): ScryptCost {
  const fast = options.unsafeFastKdfForTests;
  if (!fast) return normal;
  if (!Number.isInteger(fast.N) || fast.N < TEST_MIN_N || fast.N > MAX_N || (fast.N & (fast.N - 1)) !== 0) {
    throw new StrataError(
      'internal',
      `unsafeFastKdfForTests.N must be a power of two from 2^10 to 2^22, not ${fast.N}`,
    );
  }
  return { N: fast.N, r: DEFAULT_KDF.r, p: DEFAULT_KDF.p };
}

function cost(k: ScryptCost): number {
  return k.N * k.r * k.p;
}
