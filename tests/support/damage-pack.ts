/**
 * Flips one byte of a vault's pack for the length of a test: the pack chosen among the vault's
 * packs (by size), the byte at `at` (a fraction of its length). The original bytes go back after.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function withDamagedPack<T>(
  vaultDir: string,
  pick: 'smallest' | 'largest',
  at: number,
  fn: () => Promise<T>,
): Promise<T> {
  const packsDir = join(vaultDir, 'packs');
  const packs: { path: string; size: number }[] = [];
  for (const name of await readdir(packsDir, { recursive: true })) {
    const path = join(packsDir, name);
    const st = await stat(path);
    if (st.isFile()) packs.push({ path, size: st.size });
  }
  packs.sort((a, b) => (pick === 'smallest' ? a.size - b.size : b.size - a.size));
  const victim = packs[0];
  if (!victim) throw new Error(`no packs in ${packsDir}`);
  const original = await readFile(victim.path);
  const damaged = Buffer.from(original);
  damaged[Math.floor(damaged.length * at)]! ^= 0xff;
  await writeFile(victim.path, damaged);
  try {
    return await fn();
  } finally {
    await writeFile(victim.path, original);
  }
}
