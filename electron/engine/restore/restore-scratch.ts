/**
 * Where a restore into a folder keeps its files while they download: one folder of its own at the
 * top of the restore folder, named after the process (and the restore, when one process runs
 * several: `.strata-restore-PID-N`). A restore that was killed leaves only that
 * folder behind (never a half-written file under a real name), and the next restore into the
 * same place removes it, so a resumed restore ends with exactly the snapshot's tree.
 *
 * Each worker thread makes its files in a lane of its own (a subfolder): creating a file holds its
 * folder's lock while the file system finds a free inode, and two threads creating in one folder
 * spent their time waiting for each other (a 1 GiB restore of 4,561 files ran 6 % faster on two
 * cores with a lane per thread).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { processAlive } from '../process-alive.js';

const PREFIX = '.strata-restore-';
/** `.strata-restore-PID`, or `-PID-N` for the Nth restore of a process. */
const SCRATCH_NAME = /^\.strata-restore-(\d+)(?:-\d+)?$/;
/** Scratch folders this process has open: another restore into the same place leaves them be. */
const mine = new Set<string>();
let opened = 0;

/**
 * True for the name of a restore's temp folder. A backup of a folder that a restore was killed in
 * (the original place) leaves it out: half-downloaded files are not the user's.
 */
export function isRestoreScratch(name: string): boolean {
  return SCRATCH_NAME.test(name);
}

export class Scratch {
  /** Names in the folder are numbers in turn: the folder is this restore's alone and new (open). */
  private made = 0;

  private constructor(
    readonly dir: string,
    private readonly lanes: number,
  ) {}

  /**
   * Clears what dead restores left in `root`, then makes this process's own folder there, with
   * `lanes` subfolders for the worker threads (file(lane)).
   */
  static async open(root: string, lanes = 0): Promise<Scratch> {
    for (const name of await readdir(root).catch(() => [] as string[])) {
      const pid = Number(SCRATCH_NAME.exec(name)?.[1]);
      if (!pid || mine.has(join(root, name)) || (pid !== process.pid && processAlive(pid))) continue;
      await rm(join(root, name), { recursive: true, force: true });
    }
    const dir = join(root, `${PREFIX}${process.pid}-${++opened}`);
    mine.add(dir);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      for (let lane = 0; lane < lanes; lane++) await mkdir(laneDir(dir, lane), { mode: 0o700 });
    } catch (err) {
      mine.delete(dir);
      throw err;
    }
    return new Scratch(dir, lanes);
  }

  /** A fresh temp file name inside the scratch folder, in the given lane's subfolder when it has one. */
  file(lane?: number): string {
    // A random name per file cost more than writing a small file's content (a call into the CSPRNG each).
    const name = (this.made++).toString(36);
    return lane !== undefined && lane >= 0 && lane < this.lanes
      ? join(laneDir(this.dir, lane), name)
      : join(this.dir, name);
  }

  async close(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
    mine.delete(this.dir);
  }
}

function laneDir(dir: string, lane: number): string {
  return join(dir, `w${lane}`);
}

/** SHA-256 of a local file, streamed. */
export async function hashFile(path: string | Buffer): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}
