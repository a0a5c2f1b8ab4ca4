/**
 * Puts the estimate together for the API and the CLI: each destination's price row (with the
 * user's overrides), what it stores (usage samples), what it does in a month (runs, verification
 * plan) and how long retention keeps versions, then the pure estimator.
 */
import type { CostOverview, DestinationCost } from '../../../shared/api/cost.js';
import { isKeepAll } from '../../../shared/retention.js';
import type { Catalog, DestinationRecord } from '../store/catalog.js';
import type { Db } from '../store/database.js';
import type { PlanStore } from '../store/plan-store.js';
import type { PriceOverrideStore } from '../store/price-override-store.js';
import type { UsageStore } from '../store/usage-store.js';
import { observedActivity, type ObservedActivity } from './activity.js';
import { shortestKeepDays, versionLifetimes, type LifetimeShare } from './lifetimes.js';
import { monthlyCost, type StoredUsage } from './monthly-cost.js';
import { effectiveTable } from './price-overrides.js';
import { priceIdOf } from './price-for.js';
import { priceRow, TABLE_DATE, type PriceRow } from './price-table.js';
import { intervalHours } from './schedule-interval.js';

export interface CostDeps {
  db: Db;
  catalog: Catalog;
  plans: PlanStore;
  usage: UsageStore;
  prices: PriceOverrideStore;
  timeZone(): string;
  now(): number;
}

const YEAR = 365 * 24 * 3600_000;

/** The table with the user's prices in place. */
export function currentTable(deps: Pick<CostDeps, 'prices'>): PriceRow[] {
  return effectiveTable(deps.prices.get());
}

/** Usage now: the latest sample, or nothing stored before the first backup. */
export function usageOf(
  deps: Pick<CostDeps, 'usage'>,
  destId: string,
): StoredUsage & { at: number | null; measured: boolean } {
  const s = deps.usage.latest(destId);
  return s
    ? {
        bytes: s.bytes,
        objects: s.objects,
        smallObjects: s.smallObjects,
        smallBytes: s.smallBytes,
        at: s.at,
        measured: s.measured,
      }
    : { bytes: 0, objects: 0, smallObjects: 0, smallBytes: 0, at: null, measured: false };
}

/**
 * One destination's estimate; `adjust` adds bytes and objects (a what-if), with `row` another
 * price row (the editor's comparison).
 */
export function destinationCost(
  deps: CostDeps,
  rec: DestinationRecord,
  opts: { adjust?: { bytes: number; objects: number }; row?: PriceRow; table?: PriceRow[] } = {},
): DestinationCost {
  const now = deps.now();
  const table = opts.table ?? currentTable(deps);
  const row = opts.row ?? priceRow(priceIdOf(rec.config), table);
  const u = usageOf(deps, rec.id);
  const usage: StoredUsage = opts.adjust
    ? {
        ...u,
        bytes: Math.max(0, u.bytes + opts.adjust.bytes),
        objects: Math.max(0, u.objects + opts.adjust.objects),
      }
    : u;
  const { activity, lifetimes } = planned(deps, rec, usage);
  const monthly = monthlyCost(row, usage, activity, lifetimes);
  const history = deps.usage
    .monthly(rec.id, now - YEAR)
    .slice(-12)
    .map(({ month, sample }) => ({
      month,
      bytes: sample.bytes,
      cost: monthlyCost(row, sample, activity, lifetimes).total,
    }));
  return {
    destination: rec.name,
    monthly,
    usage: { bytes: usage.bytes, objects: usage.objects, at: u.at, measured: u.measured },
    activity: {
      uploadBytes: activity.uploadBytes,
      putRequests: activity.putRequests,
      getRequests: activity.getRequests,
      listRequests: activity.listRequests,
      verifyBytes: activity.readBytes,
    },
    shortestKeepDays: shortestKeepDays(lifetimes),
    history,
  };
}

/** A month of the destination's activity, and how long its retention keeps versions. */
export function planned(
  deps: Pick<CostDeps, 'db' | 'plans' | 'timeZone' | 'now'>,
  rec: DestinationRecord,
  usage: { bytes: number; objects: number },
): { activity: ObservedActivity; lifetimes: LifetimeShare[] | null } {
  const now = deps.now();
  const plan = deps.plans.get(rec.id);
  const scheduled = plan.schedule.kind !== 'manual';
  const activity = observedActivity(deps.db, rec.id, now, usage, {
    verify: plan.verify,
    prunes: !isKeepAll(plan.retention) && scheduled,
    runsPerMonth: scheduled ? (30 * 24) / intervalHours(plan.schedule, now, deps.timeZone(), 0) : null,
  });
  const lifetimes = versionLifetimes(
    plan.retention,
    intervalHours(plan.schedule, now, deps.timeZone(), activity.backupsPerMonth),
  );
  return { activity, lifetimes };
}

export function costOverview(deps: CostDeps, only?: string): CostOverview {
  const recs = only ? [deps.catalog.destination(only)] : deps.catalog.listDestinations();
  const table = currentTable(deps);
  const destinations = recs.map((rec) => destinationCost(deps, rec, { table }));
  return {
    currency: 'USD',
    tableDate: TABLE_DATE,
    total: destinations.reduce((a, d) => a + d.monthly.total, 0),
    destinations,
  };
}
