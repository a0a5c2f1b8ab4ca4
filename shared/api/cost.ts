/**
 * Cost estimates in the API: what each destination will charge per month, what a tick or a
 * provider change would do to that, and what a restore costs. All amounts are US dollars,
 * computed by the engine from its dated price table (electron/engine/cost) and real stored sizes.
 * Imports nothing from entities.ts, which uses CostEstimate (restore previews).
 */
import { z } from 'zod';

/** Prices a user can override in Settings, per price row. */
export const PRICE_FIELDS = [
  'storagePerGbMonth',
  'egressPerGb',
  'putPer1000',
  'getPer1000',
  'listPer1000',
  'retrievalPerGb',
  'minStorageDays',
  'minObjectKb',
  'monthlyMinimumGb',
  'freeStorageGb',
] as const;
export const PriceField = z.enum(PRICE_FIELDS);
export type PriceField = z.infer<typeof PriceField>;

export const PriceProvider = z.enum(['aws', 'r2', 'b2', 'wasabi', 'local', 'self-hosted']);
export type PriceProvider = z.infer<typeof PriceProvider>;

/** One row of the price table as Settings shows it: the table's figures, the user's overrides, and where they came from. */
export const PriceRowInfo = z.object({
  id: z.string(),
  provider: PriceProvider,
  /** "Backblaze B2", "AWS S3 Standard-IA". */
  name: z.string(),
  /** The S3 storage class this row prices, or null (one class only). */
  storageClass: z.string().nullable(),
  /** The row's "GB": AWS, R2 and Wasabi bill binary gigabytes (GiB), Backblaze decimal ones. */
  gbUnit: z.enum(['GB', 'GiB']),
  /** In effect: the table's figure unless overridden. */
  values: z.record(PriceField, z.number()),
  /** The table's figures. */
  defaults: z.record(PriceField, z.number()),
  overridden: z.array(PriceField),
  /** The provider's price page this row was taken from, and when. */
  source: z.string(),
  asOf: z.string(),
  /** Free allowances and rules the numbers above do not show ("egress free up to 3× stored"). */
  notes: z.array(z.string()),
});
export type PriceRowInfo = z.infer<typeof PriceRowInfo>;

export const PriceTable = z.object({
  /** When the table as a whole was last checked against the providers' pages (YYYY-MM-DD). */
  tableDate: z.string(),
  rows: z.array(PriceRowInfo),
});
export type PriceTable = z.infer<typeof PriceTable>;

export const CostLineKind = z.enum([
  'storage',
  'minimum',
  'requests',
  'egress',
  'retrieval',
  'earlyDeletion',
  'freeTier',
]);
export type CostLineKind = z.infer<typeof CostLineKind>;

/** One part of an estimate, e.g. "Storage: 103.4 GB × $0.006" = 0.62; free tiers are negative. */
export const CostLine = z.object({ kind: CostLineKind, label: z.string(), amount: z.number() });
export type CostLine = z.infer<typeof CostLine>;

export const CostEstimate = z.object({
  priceId: z.string(),
  priceName: z.string(),
  /** US dollars: per month for monthly estimates, once for a restore. */
  total: z.number(),
  lines: z.array(CostLine),
  /** Early deletion, fair-use limits, archive thaw times: said in words. */
  warnings: z.array(z.string()),
});
export type CostEstimate = z.infer<typeof CostEstimate>;

/** What one destination holds and does in a month, and what that costs. */
export const DestinationCost = z.object({
  destination: z.string(),
  monthly: CostEstimate,
  usage: z.object({
    bytes: z.number(),
    objects: z.number(),
    /** When the figures were taken; null before the first backup. */
    at: z.number().nullable(),
    /** True: counted by listing the destination; false: carried forward from run figures since the last count. */
    measured: z.boolean(),
  }),
  /** Per month, from the last 30 days of runs and the verification plan. */
  activity: z.object({
    uploadBytes: z.number(),
    putRequests: z.number(),
    getRequests: z.number(),
    listRequests: z.number(),
    /** Read back by scheduled deep verification. */
    verifyBytes: z.number(),
  }),
  /** The shortest time retention keeps a replaced version, in days; null when it keeps everything. */
  shortestKeepDays: z.number().nullable(),
  /** Month by month (oldest first, up to 12): stored bytes at the month's end and that month's estimate. */
  history: z.array(z.object({ month: z.string(), bytes: z.number(), cost: z.number() })),
});
export type DestinationCost = z.infer<typeof DestinationCost>;

export const CostOverview = z.object({
  currency: z.literal('USD'),
  tableDate: z.string(),
  /** Sum of the destinations' monthly totals. */
  total: z.number(),
  destinations: z.array(DestinationCost),
});
export type CostOverview = z.infer<typeof CostOverview>;

export const WhatIfResult = z.object({
  destinations: z.array(
    z.object({
      destination: z.string(),
      priceName: z.string(),
      /** Files and bytes the changes add (negative: take away) from what this destination backs up. */
      files: z.number(),
      bytes: z.number(),
      /** Monthly estimate now and with the changes saved. */
      before: z.number(),
      after: z.number(),
    }),
  ),
});
export type WhatIfResult = z.infer<typeof WhatIfResult>;

/** Every price row costed for one selection: the destination editor's comparison. */
export const CostComparison = z.object({
  basis: z.object({
    bytes: z.number(),
    objects: z.number(),
    /** "what backup-b2 stores now", "what your sources back up today". */
    label: z.string(),
  }),
  rows: z.array(
    z.object({
      priceId: z.string(),
      provider: PriceProvider,
      name: z.string(),
      monthly: z.number(),
      /** Restoring the whole selection once. */
      restore: z.number(),
      notes: z.array(z.string()),
      /** The row the edited destination uses. */
      current: z.boolean(),
    }),
  ),
});
export type CostComparison = z.infer<typeof CostComparison>;
