import type { Db } from './database.js';

export type HookPhase = 'before' | 'after';

/** A command a folder policy runs around its source's backup (one command line, through the shell). */
export interface Hook {
  folder: string;
  phase: HookPhase;
  command: string;
  timeoutMs: number;
}

/** Hooks per source and folder; they go with the source (ON DELETE CASCADE). */
export class HookStore {
  constructor(private readonly db: Db) {}

  set(sourceId: string, hook: Hook): void {
    this.db
      .prepare(
        `INSERT INTO policy_hooks (source_id, folder, phase, command, timeout_ms) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (source_id, folder, phase) DO UPDATE SET command = excluded.command, timeout_ms = excluded.timeout_ms`,
      )
      .run(sourceId, hook.folder, hook.phase, hook.command, hook.timeoutMs);
  }

  remove(sourceId: string, folder: string, phase: HookPhase): boolean {
    return (
      this.db
        .prepare('DELETE FROM policy_hooks WHERE source_id = ? AND folder = ? AND phase = ?')
        .run(sourceId, folder, phase).changes > 0
    );
  }

  /** A source's hooks, the root's first (shallower folders before deeper ones), before before after. */
  forSource(sourceId: string): Hook[] {
    const rows = this.db
      .prepare('SELECT folder, phase, command, timeout_ms FROM policy_hooks WHERE source_id = ?')
      .all(sourceId) as { folder: string; phase: HookPhase; command: string; timeout_ms: number }[];
    return rows
      .map((r) => ({ folder: r.folder, phase: r.phase, command: r.command, timeoutMs: r.timeout_ms }))
      .sort(
        (a, b) =>
          depth(a.folder) - depth(b.folder) ||
          (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0) ||
          (a.phase === b.phase ? 0 : a.phase === 'before' ? -1 : 1),
      );
  }
}

function depth(folder: string): number {
  return folder === '' ? 0 : folder.split('/').length;
}
