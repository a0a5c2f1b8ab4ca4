import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StrataError } from '../../../shared/errors.js';
import { processAlive } from '../process-alive.js';

export interface RunLock {
  release(): void;
}

/**
 * One backup at a time per data folder. A lock left by a killed process (its pid is gone) is
 * taken over, so a crash never blocks the next run.
 */
export function acquireRunLock(home: string): RunLock {
  const file = join(home, 'backup.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
      closeSync(fd);
      return { release: () => rmSync(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder: { pid?: number; since?: string } = {};
      try {
        holder = JSON.parse(readFileSync(file, 'utf8')) as typeof holder;
      } catch {
        // Unreadable or half-written: its writer died mid-write.
      }
      if (holder.pid && holder.pid !== process.pid && processAlive(holder.pid)) {
        throw new StrataError(
          'busy',
          `another backup is running (process ${holder.pid}, since ${holder.since ?? 'unknown'})`,
          'wait for it to finish, or stop it first',
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new StrataError('busy', 'could not take the backup lock', 'try again');
}
