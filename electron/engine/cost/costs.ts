/**
 * The engine's cost front: estimates, counting, the price table and overrides, what-ifs,
 * comparisons and restore costs, over the stores the engine already has.
 */
import type {
  CostComparison,
  CostEstimate,
  CostOverview,
  DestinationCost,
  PriceField,
  PriceRowInfo,
  PriceTable,
  WhatIfResult,
} from '../../../shared/api/cost.js';
import type { Destination } from '../destinations/types.js';
import type { OpenedSource } from '../sources/open-source.js';
import type { Catalog, DestinationRecord, SourceRecord } from '../store/catalog.js';
import type { Db } from '../store/database.js';
import type { PlanStore } from '../store/plan-store.js';
import type { PolicyStore } from '../store/policy-store.js';
import { PriceOverrideStore } from '../store/price-override-store.js';
import type { RunResult } from '../store/run-store.js';
import { UsageStore } from '../store/usage-store.js';
import { compareRows } from './compare.js';
import { costOverview, currentTable, destinationCost, planned, usageOf, type CostDeps } from './destination-costs.js';
import { monthlyCost } from './monthly-cost.js';
import { assertPriceRow, rowInfo } from './price-overrides.js';
import { priceIdFor, priceIdOf } from './price-for.js';
import { PRICE_TABLE, priceRow, TABLE_DATE } from './price-table.js';
import { restoreCost, type RestoreSize } from './restore-cost.js';
import { countUsage, trackBackup, trackPrune, type UsageTrackingDeps } from './usage-tracking.js';
import { selectionDelta } from './what-if.js';

export interface CostsDeps {
  db: Db;
  catalog: Catalog;
  plans: PlanStore;
  policies: PolicyStore;
  /** The schedules' time zone, asked when an estimate needs it (looking it up costs ~20 ms). */
  timeZone(): string;
  now(): number;
  openDestination(rec: DestinationRecord): Promise<Destination>;
  openSource(src: SourceRecord): Promise<OpenedSource>;
}

export class Costs {
  readonly usage: UsageStore;
  readonly prices: PriceOverrideStore;
  private readonly deps: CostDeps;
  private readonly tracking: UsageTrackingDeps;

  constructor(private readonly d: CostsDeps) {
    this.usage = new UsageStore(d.db);
    this.prices = new PriceOverrideStore(d.db);
    this.deps = { ...d, usage: this.usage, prices: this.prices };
    this.tracking = { usage: this.usage, openDestination: d.openDestination, now: d.now };
  }

  overview(destination?: string): CostOverview {
    return costOverview(this.deps, destination);
  }

  /** Lists the destination to count what it stores, then estimates again. */
  async measure(destination: string): Promise<DestinationCost> {
    const rec = this.d.catalog.destination(destination);
    await countUsage(this.tracking, rec);
    return destinationCost(this.deps, rec);
  }

  table(): PriceTable {
    const overrides = this.prices.get();
    return { tableDate: TABLE_DATE, rows: PRICE_TABLE.map((r) => rowInfo(r, overrides)) };
  }

  setPrice(id: string, field: PriceField, value: number | null): PriceRowInfo {
    assertPriceRow(id);
    const overrides = this.prices.set(id, field, value);
    return rowInfo(priceRow(id), overrides);
  }

  /** What a restore of `size` from this destination costs, by its price row. */
  restoreCost(destId: string, size: RestoreSize): CostEstimate {
    const rec = this.d.catalog.findDestination(destId);
    const table = currentTable(this.deps);
    const row = priceRow(rec ? priceIdOf(rec.config) : 'local', table);
    const stored = rec ? usageOf(this.deps, rec.id).bytes : 0;
    return restoreCost(row, size, Math.max(stored, size.bytes));
  }

  async whatIf(
    source: string,
    changes: { path: string; destination: string; include: boolean }[],
    signal?: AbortSignal,
  ): Promise<WhatIfResult> {
    const src = this.d.catalog.source(source);
    const recs = new Map(changes.map((c) => [c.destination, this.d.catalog.destination(c.destination)]));
    const opened = await this.d.openSource(src);
    const deltas = await selectionDelta(
      opened.source,
      this.d.policies.forSource(src.id),
      changes.map((c) => ({ path: c.path, destId: recs.get(c.destination)!.id, include: c.include })),
      signal,
    );
    const table = currentTable(this.deps);
    return {
      destinations: [...recs.values()].map((rec) => {
        const delta = deltas.find((x) => x.destId === rec.id) ?? { files: 0, bytes: 0 };
        const before = destinationCost(this.deps, rec, { table });
        const after = destinationCost(this.deps, rec, { table, adjust: { bytes: delta.bytes, objects: delta.files } });
        return {
          destination: rec.name,
          priceName: before.monthly.priceName,
          files: delta.files,
          bytes: delta.bytes,
          before: before.monthly.total,
          after: after.monthly.total,
        };
      }),
    };
  }

  /** Every row for one destination's stored data, or (none given) for what the sources back up today. */
  compare(i: { destination?: string; provider?: string; storageClass?: string }): CostComparison {
    const table = currentTable(this.deps);
    const currentId = i.provider ? priceIdFor(i.provider, i.storageClass) : undefined;
    if (i.destination) {
      const rec = this.d.catalog.destination(i.destination);
      const usage = usageOf(this.deps, rec.id);
      const { activity, lifetimes } = planned(this.d, rec, usage);
      return compareRows(
        table,
        { ...usage, label: `what ${rec.name} stores now` },
        { currentId: currentId ?? priceIdOf(rec.config), activity, lifetimes },
      );
    }
    return compareRows(table, { ...this.selectedToday(), label: 'what your sources back up today' }, { currentId });
  }

  /** Files the index knows are sent somewhere; before any backup, every indexed file. */
  private selectedToday(): { bytes: number; objects: number; smallObjects: number; smallBytes: number } {
    const q = (where: string): { bytes: number; objects: number; smallObjects: number; smallBytes: number } =>
      this.d.db
        .prepare(
          `SELECT COALESCE(SUM(size), 0) AS bytes, COUNT(*) AS objects,
             COALESCE(SUM(size < 131072), 0) AS smallObjects, COALESCE(SUM(CASE WHEN size < 131072 THEN size ELSE 0 END), 0) AS smallBytes
           FROM files f WHERE f.type = 'file' ${where}`,
        )
        .get() as { bytes: number; objects: number; smallObjects: number; smallBytes: number };
    const sent = q(
      `AND EXISTS (SELECT 1 FROM file_status s WHERE s.file_id = f.id AND s.state IN ('synced', 'pending'))`,
    );
    return sent.objects > 0 ? sent : q('');
  }

  async afterBackup(results: RunResult[], log: (destId: string, message: string) => void): Promise<void> {
    const ids = new Set(results.map((r) => r.destId));
    const dests = this.d.catalog.listDestinations().filter((d) => ids.has(d.id));
    await trackBackup(this.tracking, dests, results, log);
  }

  afterPrune(destId: string, freed: { bytes: number; objects: number }): void {
    trackPrune(this.tracking, destId, freed);
  }

  /** A monthly figure for a usage the caller gives (tests and the CLI's what-if). */
  monthlyFor(destination: string, bytes: number, objects: number): number {
    const rec = this.d.catalog.destination(destination);
    return monthlyCost(priceRow(priceIdOf(rec.config), currentTable(this.deps)), {
      bytes,
      objects,
      smallObjects: 0,
      smallBytes: 0,
    }).total;
  }
}

export type { CostDeps };
