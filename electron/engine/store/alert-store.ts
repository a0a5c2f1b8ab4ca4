import type { Db } from './database.js';

export type AlertKind = 'failures' | 'stale' | 'verify-failed' | 'growth';

export interface AlertRecord {
  id: number;
  destId: string;
  kind: AlertKind;
  message: string;
  openedAt: number;
  closedAt: number | null;
}

export interface AlertCondition {
  kind: AlertKind;
  message: string;
}

interface Row {
  id: number;
  dest_id: string;
  kind: AlertKind;
  message: string;
  opened_at: number;
  closed_at: number | null;
}

const toRecord = (r: Row): AlertRecord => ({
  id: r.id,
  destId: r.dest_id,
  kind: r.kind,
  message: r.message,
  openedAt: r.opened_at,
  closedAt: r.closed_at,
});

/** Alerts open until their condition clears; one open alert per (destination, kind). */
export class AlertStore {
  constructor(private readonly db: Db) {}

  open(destId?: string): AlertRecord[] {
    const rows = destId
      ? this.db.prepare('SELECT * FROM alerts WHERE closed_at IS NULL AND dest_id = ? ORDER BY opened_at').all(destId)
      : this.db.prepare('SELECT * FROM alerts WHERE closed_at IS NULL ORDER BY opened_at').all();
    return (rows as Row[]).map(toRecord);
  }

  recent(limit = 50): AlertRecord[] {
    return (this.db.prepare('SELECT * FROM alerts ORDER BY id DESC LIMIT ?').all(limit) as Row[]).map(toRecord);
  }

  /**
   * Makes the open alerts of a destination match the conditions that hold now: new ones open,
   * held ones keep their opening time (their message follows the latest figures), gone ones close.
   */
  reconcile(
    destId: string,
    conditions: AlertCondition[],
    now: number,
  ): { opened: AlertRecord[]; closed: AlertRecord[] } {
    const opened: AlertRecord[] = [];
    const closed: AlertRecord[] = [];
    this.db.transaction(() => {
      const current = new Map(this.open(destId).map((a) => [a.kind, a]));
      for (const c of conditions) {
        const held = current.get(c.kind);
        if (held) {
          current.delete(c.kind);
          if (held.message !== c.message) {
            this.db.prepare('UPDATE alerts SET message = ? WHERE id = ?').run(c.message, held.id);
          }
          continue;
        }
        const id = Number(
          this.db
            .prepare('INSERT INTO alerts (dest_id, kind, message, opened_at) VALUES (?, ?, ?, ?)')
            .run(destId, c.kind, c.message, now).lastInsertRowid,
        );
        opened.push({ id, destId, kind: c.kind, message: c.message, openedAt: now, closedAt: null });
      }
      for (const gone of current.values()) {
        this.db.prepare('UPDATE alerts SET closed_at = ? WHERE id = ?').run(now, gone.id);
        closed.push({ ...gone, closedAt: now });
      }
    })();
    return { opened, closed };
  }
}
