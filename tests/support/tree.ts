import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, readdir, readlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** What a tree holds, path → description, for byte-for-byte comparison after a restore. */
export type TreeState = Map<string, string>;

async function sha(file: string | Buffer): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(file)) h.update(c as Buffer);
  return h.digest('hex');
}

/**
 * Reads a tree: files by SHA-256 and size (and permission bits with `modes`), symlinks by target,
 * folders by presence. Buffer-safe for odd names.
 */
export async function treeState(root: string, opts: { modes?: boolean } = {}): Promise<TreeState> {
  const out: TreeState = new Map();
  const walk = async (abs: Buffer, rel: string): Promise<void> => {
    const names = (await readdir(abs, { encoding: 'buffer' })).sort(Buffer.compare);
    for (const name of names) {
      const p = Buffer.concat([abs, Buffer.from('/'), name]);
      const r = rel ? `${rel}/${name.toString('latin1')}` : name.toString('latin1');
      const st = await lstat(p);
      if (st.isSymbolicLink()) out.set(r, `link:${await readlink(p)}`);
      else if (st.isDirectory()) {
        out.set(r, 'dir');
        await walk(p, r);
      } else if (st.isFile()) {
        const mode = opts.modes ? `:${(st.mode & 0o7777).toString(8)}` : '';
        out.set(r, `file:${st.size}:${await sha(p)}${mode}`);
      }
    }
  };
  await walk(Buffer.from(root), '');
  return out;
}

export function diffTrees(expected: TreeState, actual: TreeState): string[] {
  const out: string[] = [];
  for (const [k, v] of expected)
    if (actual.get(k) !== v) out.push(`${k}: expected ${v}, got ${actual.get(k) ?? 'nothing'}`);
  for (const k of actual.keys()) if (!expected.has(k)) out.push(`${k}: unexpected`);
  return out;
}

export async function put(root: string, rel: string, content: string | Buffer): Promise<void> {
  const p = join(root, rel);
  await mkdir(dirname(p), { recursive: true });
  await writeFile(p, content);
}

/** Deterministic pseudo-random bytes (fast; content differs per seed). */
export function bytes(size: number, seed: number): Buffer {
  const block = createHash('sha256').update(String(seed)).digest();
  const out = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i += 32) block.copy(out, i, 0, Math.min(32, size - i));
  // Vary blocks so parts are not identical.
  for (let i = 0; i < size; i += 4096) out[i] = (i / 4096 + seed) & 0xff;
  return out;
}

export { randomBytes };
