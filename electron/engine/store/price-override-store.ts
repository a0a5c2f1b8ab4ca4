import type { PriceField } from '../../../shared/api/cost.js';
import type { Db } from './database.js';

export type PriceOverrides = Record<string, Partial<Record<PriceField, number>>>;

const KEY = 'priceOverrides';

/** The user's own prices (Settings → Prices), kept as one JSON value in the settings table. */
export class PriceOverrideStore {
  constructor(private readonly db: Db) {}

  get(): PriceOverrides {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(KEY) as { value: string } | undefined;
    if (!row) return {};
    try {
      const parsed = JSON.parse(row.value) as unknown;
      return parsed && typeof parsed === 'object' ? (parsed as PriceOverrides) : {};
    } catch {
      // A damaged value must not break every estimate: the table's prices apply again.
      return {};
    }
  }

  /** Sets one price of a row, or (null) drops it so the table's figure applies. */
  set(id: string, field: PriceField, value: number | null): PriceOverrides {
    const all = this.get();
    const row = { ...(all[id] ?? {}) };
    if (value === null) delete row[field];
    else row[field] = value;
    if (Object.keys(row).length) all[id] = row;
    else delete all[id];
    this.db
      .prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
      .run(KEY, JSON.stringify(all));
    return all;
  }
}
