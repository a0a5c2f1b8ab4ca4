/**
 * Where a restore into a folder keeps its files while they download: one folder of its own at the
 * top of the restore folder, named after the process. A restore that was killed leaves only that
 * folder behind (never a half-written file under a real name), and the next restore into the
 * same place removes it, so a resumed restore ends with exactly the snapshot's tree.
 */
import { randomBytes, createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { processAlive } from '../process-alive.js';

const PREFIX = '.strata-restore-';
const SCRATCH_NAME = /^\.strata-restore-\d+$/;

/**
 * True for the name of a restore's temp folder. A backup of a folder that a restore was killed in
 * (the original place) leaves it out: half-downloaded files are not the user's.
 */
export function isRestoreScratch(name: string): boolean {
  return SCRATCH_NAME.test(name);
}

export class Scratch {
  private constructor(readonly dir: string) {}

  /** Clears what dead restores left in `root`, then makes this process's own folder there. */
  static async open(root: string): Promise<Scratch> {
    for (const name of await readdir(root).catch(() => [] as string[])) {
      if (!name.startsWith(PREFIX)) continue;
      const pid = Number(name.slice(PREFIX.length));
      if (Number.isInteger(pid) && pid !== process.pid && processAlive(pid)) continue;
      await rm(join(root, name), { recursive: true, force: true });
    }
    const dir = join(root, `${PREFIX}${process.pid}`);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return new Scratch(dir);
  }

  /** A fresh temp file name inside the scratch folder. */
  file(): string {
    return join(this.dir, randomBytes(8).toString('hex'));
  }

  async close(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** SHA-256 of a local file, streamed. */
export async function hashFile(path: string | Buffer): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}
