import { createCipheriv, createDecipheriv, createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describeError, StrataError } from '../../../shared/errors.js';
import { assertSecretName, type SecretStore } from './secret-store.js';

export const VAULT_FORMAT = 'strata-secret-vault';
export const VAULT_VERSION = 1;

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** About 32 MiB and ~100 ms per derivation; stored per file so later versions can raise it. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const CHECK_LABEL = 'strata-secret-vault/passphrase-check';

interface VaultHeader {
  format: typeof VAULT_FORMAT;
  version: number;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  /** HMAC under a second derived key: tells a wrong passphrase apart from a tampered body. */
  check: string;
  cipher: 'aes-256-gcm';
}

interface VaultFile extends VaultHeader {
  iv: string;
  tag: string;
  data: string;
}

interface DerivedKeys {
  id: string;
  encryption: Buffer;
  check: Buffer;
}

export function vaultPath(home: string): string {
  return join(home, 'secrets.vault');
}

export async function vaultExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw ioError('read', path, err);
  }
}

export interface VaultOpenOptions {
  path: string;
  passphrase: string;
  /** Cost for new vaults; an existing vault with a lower cost is re-keyed at its next write. */
  kdf?: ScryptParams;
}

/**
 * All secrets in one AES-256-GCM encrypted file. Every operation re-reads the file, so
 * several processes sharing a home see each other's writes; writes within a process are
 * serialised.
 */
export class VaultStore implements SecretStore {
  readonly kind = 'vault';
  readonly path: string;
  readonly #passphrase: string;
  readonly #kdf: ScryptParams;
  #keys: DerivedKeys | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(options: VaultOpenOptions) {
    this.path = options.path;
    this.#passphrase = options.passphrase.normalize('NFC');
    this.#kdf = options.kdf ?? DEFAULT_SCRYPT;
  }

  /** Opens (and so checks the passphrase of) an existing vault; a missing one is created at the first `set`. */
  static async open(options: VaultOpenOptions): Promise<VaultStore> {
    if (options.passphrase.length === 0) {
      throw new StrataError('passphrase', 'the passphrase for the secret vault is empty', 'use a non-empty passphrase');
    }
    if (!paramsInRange(options.kdf ?? DEFAULT_SCRYPT)) {
      throw new StrataError('internal', 'scrypt parameters out of range for the secret vault');
    }
    const store = new VaultStore(options);
    await store.#load();
    return store;
  }

  async get(name: string): Promise<string | undefined> {
    assertSecretName(name);
    const loaded = await this.#serial(() => this.#load());
    return loaded?.secrets[name];
  }

  async set(name: string, value: string): Promise<void> {
    assertSecretName(name);
    await this.#serial(async () => {
      const loaded = await this.#load();
      const secrets = { ...loaded?.secrets, [name]: value };
      await this.#save(secrets, loaded?.header);
    });
  }

  /** Writes an empty vault if none exists, so the passphrase just chosen is the one asked for next time. */
  async ensureCreated(): Promise<void> {
    await this.#serial(async () => {
      if (!(await this.#load())) await this.#save({}, undefined);
    });
  }

  async delete(name: string): Promise<void> {
    assertSecretName(name);
    await this.#serial(async () => {
      const loaded = await this.#load();
      if (!loaded || !(name in loaded.secrets)) return;
      const secrets = { ...loaded.secrets };
      delete secrets[name];
      await this.#save(secrets, loaded.header);
    });
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(task);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async #load(): Promise<{ header: VaultHeader; secrets: Record<string, string> } | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw ioError('read', this.path, err);
    }
    const file = parseVaultFile(text, this.path);
    const params = { N: file.kdf.N, r: file.kdf.r, p: file.kdf.p };
    const keys = await this.#derive(Buffer.from(file.kdf.salt, 'base64'), params);
    const check = Buffer.from(file.check, 'base64');
    if (!timingSafeEqual(check, checkValue(keys))) {
      throw new StrataError(
        'passphrase',
        `the passphrase does not open the secret vault at ${this.path}`,
        'check STRATA_PASSPHRASE or the passphrase you typed (a lost passphrase cannot be recovered: delete the vault and add the secrets again)',
      );
    }
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', keys.encryption, Buffer.from(file.iv, 'base64'));
      decipher.setAAD(headerAad(file));
      decipher.setAuthTag(Buffer.from(file.tag, 'base64'));
      plain = Buffer.concat([decipher.update(Buffer.from(file.data, 'base64')), decipher.final()]);
    } catch {
      throw new StrataError(
        'tampered',
        `the secret vault at ${this.path} fails its integrity check: it was changed or damaged`,
        'restore secrets.vault from a copy, or delete it and add the destination secrets again',
      );
    }
    try {
      return { header: file, secrets: parseSecrets(plain) };
    } finally {
      plain.fill(0);
    }
  }

  async #save(secrets: Record<string, string>, basis: VaultHeader | undefined): Promise<void> {
    // Keep the file's salt and cost unless ours is higher: that is how the cost gets raised.
    const keepBasis = basis !== undefined && cost(basis.kdf) >= cost(this.#kdf);
    const salt = keepBasis ? Buffer.from(basis.kdf.salt, 'base64') : randomBytes(SALT_BYTES);
    const params = keepBasis ? { N: basis.kdf.N, r: basis.kdf.r, p: basis.kdf.p } : this.#kdf;
    const keys = await this.#derive(salt, params);
    const header: VaultHeader = {
      format: VAULT_FORMAT,
      version: VAULT_VERSION,
      kdf: { name: 'scrypt', ...params, salt: salt.toString('base64') },
      check: checkValue(keys).toString('base64'),
      cipher: 'aes-256-gcm',
    };
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', keys.encryption, iv);
    cipher.setAAD(headerAad(header));
    const plain = Buffer.from(JSON.stringify({ secrets }), 'utf8');
    const data = Buffer.concat([cipher.update(plain), cipher.final()]);
    plain.fill(0);
    const file: VaultFile = {
      ...header,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
    await writeAtomic(this.path, `${JSON.stringify(file, null, 2)}\n`);
  }

  async #derive(salt: Buffer, params: ScryptParams): Promise<DerivedKeys> {
    const id = `${salt.toString('base64')}:${params.N}:${params.r}:${params.p}`;
    if (this.#keys?.id === id) return this.#keys;
    const material = await scryptAsync(this.#passphrase, salt, params);
    this.#keys = { id, encryption: material.subarray(0, 32), check: material.subarray(32, 64) };
    return this.#keys;
  }
}

function scryptAsync(passphrase: string, salt: Buffer, { N, r, p }: ScryptParams): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    scrypt(passphrase, salt, 64, { N, r, p, maxmem: 256 * N * r + 16 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolvePromise(key),
    );
  });
}

function checkValue(keys: DerivedKeys): Buffer {
  return createHmac('sha256', keys.check).update(CHECK_LABEL).digest();
}

/** The header is authenticated too, so nobody can swap in a weaker cost or another salt unnoticed. */
function headerAad(h: VaultHeader): Buffer {
  const { format, version, kdf, check, cipher } = h;
  const canonical = {
    format,
    version,
    kdf: { name: kdf.name, N: kdf.N, r: kdf.r, p: kdf.p, salt: kdf.salt },
    check,
    cipher,
  };
  return Buffer.from(JSON.stringify(canonical), 'utf8');
}

function cost(p: ScryptParams): number {
  return p.N * p.r * p.p;
}

/** Bounds keep a crafted file from making scrypt eat memory or hang. */
function paramsInRange(p: ScryptParams): boolean {
  return (
    Number.isInteger(p.N) &&
    p.N >= 2 ** 10 &&
    p.N <= 2 ** 20 &&
    (p.N & (p.N - 1)) === 0 &&
    Number.isInteger(p.r) &&
    p.r >= 1 &&
    p.r <= 32 &&
    Number.isInteger(p.p) &&
    p.p >= 1 &&
    p.p <= 16 &&
    128 * p.N * p.r <= 1024 ** 3
  );
}

function parseVaultFile(text: string, path: string): VaultFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw corrupt(path, 'it is not valid JSON');
  }
  const f = raw as Partial<VaultFile> | null;
  if (typeof f !== 'object' || f === null || f.format !== VAULT_FORMAT) {
    throw corrupt(path, 'it is not a Strata secret vault');
  }
  if (typeof f.version !== 'number' || !Number.isInteger(f.version) || f.version < 1) {
    throw corrupt(path, 'its format version is missing');
  }
  if (f.version > VAULT_VERSION) {
    throw new StrataError(
      'format-too-new',
      `the secret vault at ${path} has format version ${f.version}, newer than this Strata understands (${VAULT_VERSION})`,
      'update Strata to open it',
    );
  }
  const kdf = f.kdf;
  if (typeof kdf !== 'object' || kdf === null || kdf.name !== 'scrypt' || f.cipher !== 'aes-256-gcm') {
    throw corrupt(path, 'its key-derivation or cipher settings are missing');
  }
  if (!paramsInRange({ N: kdf.N, r: kdf.r, p: kdf.p })) throw corrupt(path, 'its key-derivation cost is out of range');
  const fields: [unknown, number, number, string][] = [
    [kdf.salt, SALT_BYTES, 1024, 'salt'],
    [f.check, 32, 32, 'passphrase check'],
    [f.iv, IV_BYTES, IV_BYTES, 'IV'],
    [f.tag, TAG_BYTES, TAG_BYTES, 'authentication tag'],
    [f.data, 0, Infinity, 'data'],
  ];
  for (const [value, min, max, what] of fields) {
    const ok = typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value);
    const bytes = ok ? Buffer.from(value, 'base64').length : -1;
    if (bytes < min || bytes > max) throw corrupt(path, `its ${what} is missing or malformed`);
  }
  return f as VaultFile;
}

function parseSecrets(plain: Buffer): Record<string, string> {
  let body: unknown;
  try {
    body = JSON.parse(plain.toString('utf8'));
  } catch {
    body = undefined;
  }
  const secrets = (body as { secrets?: unknown } | undefined)?.secrets;
  if (typeof secrets !== 'object' || secrets === null || Array.isArray(secrets)) {
    // Never echo the decrypted body: it holds the secrets.
    throw new StrataError(
      'corrupt',
      'the secret vault decrypted but its contents are malformed',
      'delete it and add the destination secrets again',
    );
  }
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(secrets)) {
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

function corrupt(path: string, why: string): StrataError {
  return new StrataError(
    'corrupt',
    `the secret vault at ${path} is damaged: ${why}`,
    'restore secrets.vault from a copy, or delete it and add the destination secrets again',
  );
}

function ioError(verb: string, path: string, err: unknown): StrataError {
  const code = (err as NodeJS.ErrnoException).code;
  return new StrataError(
    code === 'ENOSPC' ? 'disk-full' : 'io',
    `cannot ${verb} the secret vault at ${path}: ${describeError(err)}`,
    undefined,
    {
      cause: err,
    },
  );
}

/** temp file (0600) + fsync + rename + directory fsync: a crash leaves the old vault or the new one. */
async function writeAtomic(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.chmod(0o600);
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw ioError('write', path, err);
  }
  await fsyncDir(dir);
}

async function fsyncDir(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync; the rename is already durable enough there.
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some file systems (and network shares) refuse fsync on a directory.
  } finally {
    await handle.close();
  }
}
