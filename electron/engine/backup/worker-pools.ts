/**
 * The worker threads of one source's backup: a pool per vault it writes to, started on the first
 * file that needs it (a run that sends nothing starts none) and stopped when the source is done.
 */
import { keysForThread } from '../vault/repo-key.js';
import { BackupWorkers, backupWorkerCount, backupWorkerUrl } from './backup-workers.js';
import type { VaultSession } from './vault-session.js';

export class WorkerPools {
  private readonly pools = new Map<VaultSession, Promise<BackupWorkers | undefined>>();
  private readonly url = backupWorkerUrl();
  private readonly count = backupWorkerCount();

  /** `warn` hears when threads that should run here could not start (the backup goes on without them). */
  constructor(private readonly warn: (message: string) => void) {}

  /** The session's pool; undefined when workers cannot run here (see backup-workers.ts). */
  for(session: VaultSession): Promise<BackupWorkers | undefined> | undefined {
    const made = session.vault.codec.madeFrom;
    if (!this.url || this.count < 1 || !made) return undefined;
    let pool = this.pools.get(session);
    if (!pool) {
      const setup = { keys: keysForThread(made.keys), options: made.options, chunking: session.vault.chunking };
      pool = BackupWorkers.start(setup, this.count, this.url).then((p) => {
        if (!p) this.warn('worker threads could not start: files are read on the main thread, more slowly');
        return p;
      });
      this.pools.set(session, pool);
    }
    return pool;
  }

  /** Threads started so far. */
  async threads(): Promise<number> {
    let n = 0;
    for (const p of this.pools.values()) n += (await p)?.size ?? 0;
    return n;
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map(async (p) => (await p)?.close()));
  }
}
