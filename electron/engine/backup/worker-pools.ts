/**
 * The worker threads of one source's backup: a pool per vault it writes to, set up on the first
 * file that needs it and stopped when the source is done. The threads of the first pool may be
 * started earlier (`prestart`), while the vault's key is derived and its index read: loading a
 * thread's code then overlaps that wait instead of holding up the first files.
 */
import type { Worker } from 'node:worker_threads';
import { prestartWorkers } from '../threads/start-workers.js';
import { keysForThread } from '../vault/repo-key.js';
import { BackupWorkers, backupWorkerCount, backupWorkersAtFirst, backupWorkerUrl } from './backup-workers.js';
import type { VaultSession } from './vault-session.js';

export class WorkerPools {
  private readonly pools = new Map<VaultSession, Promise<BackupWorkers | undefined>>();
  private readonly url = backupWorkerUrl();
  /** Threads a pool starts with, and the most it grows to (see backup-workers.ts). */
  private readonly count = backupWorkersAtFirst();
  private readonly most = backupWorkerCount();
  /** Threads begun by prestart() and not yet handed to a pool. */
  private early: Worker[] = [];

  /** `warn` hears when threads that should run here could not start (the backup goes on without them). */
  constructor(private readonly warn: (message: string) => void) {}

  /** Starts the threads of a first pool now, before any vault is open; close() stops them if none is made. */
  prestart(): void {
    if (!this.url || this.count < 1 || this.early.length || this.pools.size) return;
    this.early = prestartWorkers(this.url, this.count);
  }

  /** The session's pool; undefined when workers cannot run here (see backup-workers.ts). */
  for(session: VaultSession): Promise<BackupWorkers | undefined> | undefined {
    const made = session.vault.codec.madeFrom;
    if (!this.url || this.count < 1 || !made) return undefined;
    let pool = this.pools.get(session);
    if (!pool) {
      const setup = { keys: keysForThread(made.keys), options: made.options, chunking: session.vault.chunking };
      const early = this.early;
      this.early = [];
      pool = BackupWorkers.start(setup, this.count, this.url, early, this.most).then((p) => {
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
    for (const p of this.pools.values()) n += (await (await p)?.threads()) ?? 0;
    return n;
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    const early = this.early;
    this.pools.clear();
    this.early = [];
    await Promise.all([...pools.map(async (p) => (await p)?.close()), ...early.map((w) => w.terminate())]);
  }
}
