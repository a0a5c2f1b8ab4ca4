/**
 * The dated price table: list prices per provider and storage class, in US dollars, for the
 * default region (AWS us-east-1, Wasabi us-east-1, B2 US). Each row names the page its figures
 * come from and when they were taken; a user overrides any figure in Settings (price-overrides.ts)
 * when their region, contract or a new price list differs. Prices change: update the row, its
 * `asOf`, and TABLE_DATE together.
 */
import type { PriceProvider } from '../../../shared/api/cost.js';

/** When the table as a whole was last checked against the providers' pages. */
export const TABLE_DATE = '2026-12-02';

const GIB = 1024 ** 3;
const GB = 1e9;
/** Objects smaller than this are billed as this size on S3 IA and Glacier Instant. */
export const SMALL_OBJECT_BYTES = 128 * 1024;

/** Requests of one kind: PUT/COPY/POST (class A), GET/HEAD (class B), LIST (class A on S3 and R2, class C on B2). */
export interface RequestPrice {
  per1000: number;
  /** Requests of the same pool share its free allowance (R2: PUT and LIST are both class A). */
  pool: 'A' | 'B' | 'C';
}

export interface PriceRow {
  id: string;
  provider: PriceProvider;
  name: string;
  storageClass: string | null;
  /** What the provider's "GB" is: AWS, R2 and Wasabi bill binary gigabytes, Backblaze decimal ones. */
  gbBytes: number;
  storagePerGbMonth: number;
  /** Storage below this is free every month (per account; Strata counts it per destination). */
  freeStorageGb: number;
  /** Billed as if at least this much were stored (Wasabi: 1 TB). */
  monthlyMinimumGb: number;
  /** Objects deleted younger than this are billed for the remaining days. */
  minStorageDays: number;
  /** Smaller objects are billed as this size. */
  minObjectBytes: number;
  /** Archive classes: index data kept per object, billed at this class's price and at S3 Standard's. */
  objectOverhead: { classBytes: number; standardBytes: number; standardPerGbMonth: number } | null;
  /** S3 Intelligent-Tiering's monitoring fee, per 1,000 objects of 128 KiB or more, per month. */
  monitoringPer1000Objects: number;
  egressPerGb: number;
  /** Free egress every month (AWS: 100 GB across the account). */
  egressFreeGbPerMonth: number;
  /** Free egress up to this multiple of the average stored (B2: 3×); null when none. */
  egressFreeStoredMultiple: number | null;
  /** Egress is free but above this multiple of the stored bytes is outside fair use (Wasabi: 1×). */
  egressFairUseStoredMultiple: number | null;
  put: RequestPrice;
  get: RequestPrice;
  list: RequestPrice;
  /** Free requests per month, per pool (daily allowances times 30). */
  freeRequestsPerMonth: Partial<Record<'A' | 'B' | 'C', number>>;
  /** Reading data back out of an infrequent or archive class. */
  retrievalPerGb: number;
  /** Archive classes: the restore (thaw) requests, per 1,000 objects. */
  thawPer1000: number;
  /** Archive classes: how long a thaw takes before objects can be read (standard tier). */
  thawHours: number | null;
  source: string;
  asOf: string;
  notes: string[];
}

/** A row's figures where it says nothing: free, no minimums, binary GB. */
function row(
  r: Pick<PriceRow, 'id' | 'provider' | 'name' | 'source' | 'asOf' | 'notes'> & Partial<PriceRow>,
): PriceRow {
  return {
    storageClass: null,
    gbBytes: GIB,
    storagePerGbMonth: 0,
    freeStorageGb: 0,
    monthlyMinimumGb: 0,
    minStorageDays: 0,
    minObjectBytes: 0,
    objectOverhead: null,
    monitoringPer1000Objects: 0,
    egressPerGb: 0,
    egressFreeGbPerMonth: 0,
    egressFreeStoredMultiple: null,
    egressFairUseStoredMultiple: null,
    put: { per1000: 0, pool: 'A' },
    list: { per1000: 0, pool: 'A' },
    get: { per1000: 0, pool: 'B' },
    freeRequestsPerMonth: {},
    retrievalPerGb: 0,
    thawPer1000: 0,
    thawHours: null,
    ...r,
  };
}

const S3_PRICES = 'https://aws.amazon.com/s3/pricing/';
const AWS_AS_OF = '2026-04-01';

function aws(
  spec: Pick<PriceRow, 'id' | 'name' | 'storageClass' | 'storagePerGbMonth'> &
    Partial<PriceRow> & { putPer1000: number; getPer1000: number },
): PriceRow {
  const { putPer1000, getPer1000, ...rest } = spec;
  return row({
    provider: 'aws',
    egressPerGb: 0.09,
    egressFreeGbPerMonth: 100,
    put: { per1000: putPer1000, pool: 'A' },
    // LIST is billed with PUT, COPY and POST in each class.
    list: { per1000: putPer1000, pool: 'A' },
    get: { per1000: getPer1000, pool: 'B' },
    source: S3_PRICES,
    asOf: AWS_AS_OF,
    notes: ['egress: the first 100 GB a month are free across the AWS account, then $0.09/GB'],
    ...rest,
  });
}

const GLACIER_OVERHEAD = { classBytes: 32 * 1024, standardBytes: 8 * 1024, standardPerGbMonth: 0.023 };

export const PRICE_TABLE: readonly PriceRow[] = Object.freeze([
  aws({
    id: 'aws-standard',
    name: 'AWS S3 Standard',
    storageClass: 'STANDARD',
    storagePerGbMonth: 0.023,
    putPer1000: 0.005,
    getPer1000: 0.0004,
  }),
  aws({
    id: 'aws-intelligent-tiering',
    name: 'AWS S3 Intelligent-Tiering',
    storageClass: 'INTELLIGENT_TIERING',
    // Priced at the frequent tier: objects idle for 30 and 90 days cost $0.0125 and $0.004 instead.
    storagePerGbMonth: 0.023,
    monitoringPer1000Objects: 0.0025,
    putPer1000: 0.005,
    getPer1000: 0.0004,
    notes: [
      'estimated at the Frequent Access tier: objects untouched for 30 days drop to $0.0125/GB, for 90 days to $0.004/GB',
      'monitoring: $0.0025 per 1,000 objects of 128 KB or more per month',
      'egress: the first 100 GB a month are free across the AWS account, then $0.09/GB',
    ],
  }),
  aws({
    id: 'aws-standard-ia',
    name: 'AWS S3 Standard-IA',
    storageClass: 'STANDARD_IA',
    storagePerGbMonth: 0.0125,
    putPer1000: 0.01,
    getPer1000: 0.001,
    retrievalPerGb: 0.01,
    minStorageDays: 30,
    minObjectBytes: SMALL_OBJECT_BYTES,
    notes: [
      'objects under 128 KB are billed as 128 KB',
      'objects deleted before 30 days are billed for the rest of the 30 days',
      'reading back: $0.01/GB retrieval plus egress',
    ],
  }),
  aws({
    id: 'aws-onezone-ia',
    name: 'AWS S3 One Zone-IA',
    storageClass: 'ONEZONE_IA',
    storagePerGbMonth: 0.01,
    putPer1000: 0.01,
    getPer1000: 0.001,
    retrievalPerGb: 0.01,
    minStorageDays: 30,
    minObjectBytes: SMALL_OBJECT_BYTES,
    notes: [
      'one availability zone: lost if that zone is',
      'objects under 128 KB are billed as 128 KB; minimum 30 days',
      'reading back: $0.01/GB retrieval plus egress',
    ],
  }),
  aws({
    id: 'aws-glacier-ir',
    name: 'AWS S3 Glacier Instant Retrieval',
    storageClass: 'GLACIER_IR',
    storagePerGbMonth: 0.004,
    putPer1000: 0.02,
    getPer1000: 0.01,
    retrievalPerGb: 0.03,
    minStorageDays: 90,
    minObjectBytes: SMALL_OBJECT_BYTES,
    notes: [
      'objects under 128 KB are billed as 128 KB; minimum 90 days',
      'reading back: $0.03/GB retrieval plus egress',
    ],
  }),
  aws({
    id: 'aws-glacier-flexible',
    name: 'AWS S3 Glacier Flexible Retrieval',
    storageClass: 'GLACIER',
    storagePerGbMonth: 0.0036,
    putPer1000: 0.03,
    getPer1000: 0.0004,
    retrievalPerGb: 0.01,
    thawPer1000: 0.05,
    thawHours: 5,
    minStorageDays: 90,
    objectOverhead: GLACIER_OVERHEAD,
    notes: [
      'archive: objects must be restored (thawed, 3-5 hours, $0.01/GB + $0.05 per 1,000) before they can be read',
      'each object adds 40 KB of index: 32 KB at this price, 8 KB at S3 Standard',
      'minimum 90 days',
    ],
  }),
  aws({
    id: 'aws-deep-archive',
    name: 'AWS S3 Glacier Deep Archive',
    storageClass: 'DEEP_ARCHIVE',
    storagePerGbMonth: 0.00099,
    putPer1000: 0.05,
    getPer1000: 0.0004,
    retrievalPerGb: 0.02,
    thawPer1000: 0.1,
    thawHours: 12,
    minStorageDays: 180,
    objectOverhead: GLACIER_OVERHEAD,
    notes: [
      'archive: objects must be restored (thawed, up to 12 hours, $0.02/GB + $0.10 per 1,000) before they can be read',
      'each object adds 40 KB of index: 32 KB at this price, 8 KB at S3 Standard',
      'minimum 180 days',
    ],
  }),
  row({
    id: 'r2-standard',
    provider: 'r2',
    name: 'Cloudflare R2 Standard',
    storageClass: 'STANDARD',
    storagePerGbMonth: 0.015,
    freeStorageGb: 10,
    put: { per1000: 0.0045, pool: 'A' },
    list: { per1000: 0.0045, pool: 'A' },
    get: { per1000: 0.00036, pool: 'B' },
    freeRequestsPerMonth: { A: 1_000_000, B: 10_000_000 },
    source: 'https://developers.cloudflare.com/r2/pricing/',
    asOf: '2026-04-01',
    notes: [
      'egress is free',
      'free every month: 10 GB-month, 1 million class A (write, list) and 10 million class B (read) requests',
    ],
  }),
  row({
    id: 'r2-ia',
    provider: 'r2',
    name: 'Cloudflare R2 Infrequent Access',
    storageClass: 'STANDARD_IA',
    storagePerGbMonth: 0.01,
    minStorageDays: 30,
    put: { per1000: 0.009, pool: 'A' },
    list: { per1000: 0.009, pool: 'A' },
    get: { per1000: 0.0009, pool: 'B' },
    retrievalPerGb: 0.01,
    source: 'https://developers.cloudflare.com/r2/pricing/',
    asOf: '2026-04-01',
    notes: ['egress is free; reading back costs $0.01/GB retrieval', 'minimum 30 days', 'no free tier'],
  }),
  row({
    id: 'b2',
    provider: 'b2',
    name: 'Backblaze B2',
    gbBytes: GB,
    storagePerGbMonth: 0.006,
    freeStorageGb: 10,
    egressPerGb: 0.01,
    egressFreeStoredMultiple: 3,
    // Uploads (class A) are free; downloads and HEAD are class B, listing is class C.
    get: { per1000: 0.0004, pool: 'B' },
    list: { per1000: 0.004, pool: 'C' },
    freeRequestsPerMonth: { B: 2500 * 30, C: 2500 * 30 },
    source: 'https://www.backblaze.com/cloud-storage/pricing',
    asOf: '2026-04-01',
    notes: [
      'the first 10 GB are free',
      'egress free up to 3× the average stored a month, then $0.01/GB',
      'class B (reads) and class C (lists): 2,500 free a day each',
    ],
  }),
  row({
    id: 'wasabi',
    provider: 'wasabi',
    name: 'Wasabi',
    // $6.99 per TB-month, where Wasabi's TB is 1,024 GB.
    storagePerGbMonth: 6.99 / 1024,
    monthlyMinimumGb: 1024,
    minStorageDays: 90,
    egressFairUseStoredMultiple: 1,
    source: 'https://wasabi.com/pricing/faq',
    asOf: '2026-04-01',
    notes: [
      '$6.99 per TB-month, billed for at least 1 TB',
      'objects deleted before 90 days are billed for the rest of the 90 days',
      'egress and requests free; downloading more than you store a month is outside fair use',
    ],
  }),
  free('local', 'local', 'Local disk', 'your own disk: nothing to pay a provider'),
  free(
    'self-hosted',
    'self-hosted',
    'Self-hosted S3 (MinIO, other)',
    'your own server: free unless you set its prices (e.g. a rented VPS) here',
  ),
]);

/** Priced by the user if at all, so in the decimal GB the app shows sizes in. */
function free(id: string, provider: PriceProvider, name: string, note: string): PriceRow {
  return row({ id, provider, name, gbBytes: GB, source: '', asOf: TABLE_DATE, notes: [note] });
}

export function priceRow(id: string, table: readonly PriceRow[] = PRICE_TABLE): PriceRow {
  const row = table.find((r) => r.id === id);
  if (!row) throw new Error(`no price row '${id}'`);
  return row;
}
