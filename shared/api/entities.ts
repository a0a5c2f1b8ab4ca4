/**
 * The shapes that cross the API boundary (renderer ↔ host). Each is a zod schema so the
 * receiving side validates, and a type inferred from it so both sides agree at compile time.
 * Nothing here ever carries a secret: secret fields exist only in inputs, never in outputs.
 */
import { z } from 'zod';
import { RetentionPolicy } from '../retention.js';
import { ScheduleSpec } from '../schedule.js';

/** Same rule as the engine's catalog: 1-63 letters, digits, dot, dash or underscore. */
export const Name = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/,
    'use 1-63 letters, digits, dot, dash or underscore, starting with a letter or digit',
  );

/** A path inside a source: '' is the root, else 'a/b' with no leading or trailing slash. */
export const SourcePath = z
  .string()
  .max(4096)
  .refine((p) => !p.includes('\0'), 'paths cannot contain NUL')
  .refine(
    (p) => p === '' || (!p.startsWith('/') && !p.endsWith('/')),
    "write paths like 'photos/2024' ('' is the root)",
  )
  .refine((p) => p.split('/').every((s) => s !== '..' && s !== '.'), "paths cannot contain '.' or '..' segments");

export const AbsolutePath = z.string().min(1, 'give a folder path').max(4096);

export const S3ProviderId = z.enum(['aws', 'r2', 'b2', 'wasabi', 'minio', 'other']);
export type S3ProviderId = z.infer<typeof S3ProviderId>;

export const SourceInfo = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['local', 'bucket', 'gdrive']),
  /** The folder, bucket/prefix, or 'Google Drive (account)'. */
  path: z.string(),
  /** Google Drive only: signed in (false after Disconnect: sign in again to back it up). */
  connected: z.boolean().optional(),
  /** Google Drive only: the account's e-mail address, when Google told it. */
  account: z.string().optional(),
  createdAt: z.number(),
});
export type SourceInfo = z.infer<typeof SourceInfo>;

/** How Google Docs, Sheets, Slides and Drawings are saved (they have no bytes of their own). */
export const DriveExportFormats = z
  .object({
    document: z.enum(['docx', 'odt', 'pdf', 'txt', 'md']),
    spreadsheet: z.enum(['xlsx', 'ods', 'pdf', 'csv']),
    presentation: z.enum(['pptx', 'odp', 'pdf']),
    drawing: z.enum(['svg', 'png', 'pdf']),
  })
  .partial();
export type DriveExportFormats = z.infer<typeof DriveExportFormats>;

/** A Google sign-in in progress: open `url` in a browser; Google sends it back to Strata on 127.0.0.1. */
export const DriveSignIn = z.object({ attempt: z.string(), url: z.string() });
export type DriveSignIn = z.infer<typeof DriveSignIn>;

export const DriveSignInStatus = z.object({
  state: z.enum(['waiting', 'done', 'failed']),
  /** Once done: the source, added or reconnected. */
  source: SourceInfo.optional(),
  /** Once failed: why, and what to do. */
  error: z.string().optional(),
});
export type DriveSignInStatus = z.infer<typeof DriveSignInStatus>;

export const LocalDestinationSettings = z.object({ kind: z.literal('local'), path: AbsolutePath });
export const S3DestinationSettings = z.object({
  kind: z.literal('s3'),
  provider: S3ProviderId,
  bucket: z.string().min(1, 'give the bucket name').max(255),
  prefix: z.string().max(1024).default(''),
  region: z.string().max(64).optional(),
  endpoint: z.string().max(1024).optional(),
  storageClass: z.string().max(64).optional(),
  pathStyle: z.boolean().optional(),
  accessKeyId: z.string().min(1, 'give the access key id').max(256),
});
/** A destination's settings as stored and shown: no secret in it. */
export const DestinationSettings = z.discriminatedUnion('kind', [LocalDestinationSettings, S3DestinationSettings]);
export type DestinationSettings = z.infer<typeof DestinationSettings>;

/** Settings as entered in the editor: the S3 secret rides along once and is never sent back. */
export const DestinationDraft = z.discriminatedUnion('kind', [
  LocalDestinationSettings,
  S3DestinationSettings.extend({
    /** Absent when editing: keep the saved secret. */
    secretAccessKey: z.string().min(1).max(1024).optional(),
  }),
]);
export type DestinationDraft = z.infer<typeof DestinationDraft>;

/** A bucket read as a source (an R2 or S3 primary): the S3 settings without a storage class, and the secret once. */
export const BucketSourceDraft = S3DestinationSettings.omit({ kind: true, storageClass: true }).extend({
  secretAccessKey: z.string().min(1, 'give the secret access key').max(1024),
});
export type BucketSourceDraft = z.infer<typeof BucketSourceDraft>;

export const DestinationInfo = z.object({
  id: z.string(),
  name: z.string(),
  /** 'local' or the S3 provider id. */
  provider: z.union([z.literal('local'), S3ProviderId]),
  /** "bucket/prefix" or the folder path. */
  label: z.string(),
  settings: DestinationSettings,
  /** True when a secret is saved for it (S3); the secret itself never leaves the host. */
  secretSaved: z.boolean(),
  createdAt: z.number(),
});
export type DestinationInfo = z.infer<typeof DestinationInfo>;

export const ProbeStep = z.object({
  step: z.enum(['config', 'credentials', 'write', 'read', 'list', 'delete']),
  ok: z.boolean(),
  ms: z.number(),
  error: z.string().optional(),
});
export type ProbeStep = z.infer<typeof ProbeStep>;

export const TestResult = z.object({
  ok: z.boolean(),
  steps: z.array(ProbeStep),
  /** One sentence in plain words: what worked, or which step failed and what to do. */
  summary: z.string(),
});
export type TestResult = z.infer<typeof TestResult>;

/** What a destination holds for a path: the badge. 'none' means the destination is not chosen for it. */
export const BadgeState = z.enum(['synced', 'pending', 'failed', 'excluded', 'none']);
export type BadgeState = z.infer<typeof BadgeState>;

export const StateCounts = z.object({
  synced: z.number(),
  pending: z.number(),
  failed: z.number(),
  excluded: z.number(),
});
export type StateCounts = z.infer<typeof StateCounts>;

export const Badge = z.object({
  state: BadgeState,
  /** Folders: files below, by state (from the last runs' index). */
  counts: StateCounts.optional(),
  /** Failed: why, and when it was recorded. */
  error: z.string().optional(),
  at: z.number().optional(),
});
export type Badge = z.infer<typeof Badge>;

/** A checkbox: on, off, or mixed (a descendant decides differently). */
export const Selection = z.enum(['on', 'off', 'mixed']);
export type Selection = z.infer<typeof Selection>;

export const TreeEntry = z.object({
  name: z.string(),
  path: z.string(),
  type: z.enum(['dir', 'file', 'symlink', 'other']),
  size: z.number().nullable(),
  mtimeMs: z.number().nullable(),
  /** Matched by an exclusion pattern or over the size cap. */
  excluded: z.boolean(),
  /** Keyed by destination id. */
  selection: z.record(z.string(), Selection),
  badges: z.record(z.string(), Badge),
});
export type TreeEntry = z.infer<typeof TreeEntry>;

export const TreePage = z.object({
  source: z.string(),
  folder: z.string(),
  /** All children of the folder (the page is a slice of them). */
  total: z.number(),
  offset: z.number(),
  entries: z.array(TreeEntry),
  /** The folder itself (for the root row's checkboxes and badges). */
  self: TreeEntry,
  /** The folder could not be read (gone, no permission): why. */
  error: z.string().optional(),
});
export type TreePage = z.infer<typeof TreePage>;

export const PolicyInfo = z.object({
  source: z.string(),
  folder: z.string(),
  /** Keyed by destination id: true sends, false stops here; absent inherits. */
  destinations: z.record(z.string(), z.boolean()),
  excludes: z.array(z.string()),
  maxSize: z.number().nullable(),
  /** Google Drive sources: Docs export formats set at this folder (inherited below it). */
  exports: DriveExportFormats.optional(),
});
export type PolicyInfo = z.infer<typeof PolicyInfo>;

export const RunStatus = z.enum(['running', 'ok', 'partial', 'failed', 'interrupted', 'cancelled']);
export type RunStatus = z.infer<typeof RunStatus>;

export const Progress = z.object({
  phase: z.enum(['scan', 'transfer', 'commit', 'done']),
  filesScanned: z.number(),
  bytesScanned: z.number(),
  filesToSend: z.number(),
  bytesToSend: z.number(),
  filesSent: z.number(),
  bytesSent: z.number(),
  filesFailed: z.number(),
  scanDone: z.boolean(),
  bytesPerSecond: z.number(),
  etaSeconds: z.number().optional(),
  current: z.string().optional(),
});
export type Progress = z.infer<typeof Progress>;

export const ActiveRun = z.object({
  runId: z.number(),
  trigger: z.string(),
  startedAt: z.number(),
  /** Destination ids taking part. */
  destinations: z.array(z.string()),
  cancelling: z.boolean(),
  /** The whole run (bytes divided across the fan-out). */
  total: Progress,
  /** Keyed by destination id. */
  perDestination: z.record(z.string(), Progress),
});
export type ActiveRun = z.infer<typeof ActiveRun>;

export const RunResultInfo = z.object({
  source: z.string(),
  sourceId: z.string(),
  destination: z.string(),
  destinationId: z.string(),
  status: RunStatus,
  snapshotId: z.string().nullable(),
  filesTotal: z.number(),
  bytesTotal: z.number(),
  filesUploaded: z.number(),
  bytesUploaded: z.number(),
  filesDeleted: z.number(),
  filesFailed: z.number(),
  error: z.string().nullable(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
});
export type RunResultInfo = z.infer<typeof RunResultInfo>;

export const RunInfo = z.object({
  id: z.number(),
  trigger: z.string(),
  status: RunStatus,
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  error: z.string().nullable(),
  results: z.array(RunResultInfo),
});
export type RunInfo = z.infer<typeof RunInfo>;

export const LogLine = z.object({
  time: z.number(),
  level: z.enum(['info', 'warn', 'error']),
  source: z.string().nullable(),
  destination: z.string().nullable(),
  path: z.string().nullable(),
  message: z.string(),
});
export type LogLine = z.infer<typeof LogLine>;

export const SnapshotInfo = z.object({
  snapshotId: z.string(),
  sourceId: z.string(),
  sourceName: z.string(),
  time: z.number(),
  files: z.number(),
  bytes: z.number(),
  errors: z.number(),
  damaged: z.string().optional(),
});
export type SnapshotInfo = z.infer<typeof SnapshotInfo>;

export const AlertKind = z.enum(['failures', 'stale', 'verify-failed', 'growth']);
export const AlertInfo = z.object({
  id: z.number(),
  destination: z.string(),
  kind: AlertKind,
  message: z.string(),
  openedAt: z.number(),
  closedAt: z.number().nullable(),
});
export type AlertInfo = z.infer<typeof AlertInfo>;

/** When a destination runs, what history it keeps, and when its silence becomes an alert. */
export const PlanInfo = z.object({
  destination: z.string(),
  schedule: ScheduleSpec,
  scheduleSummary: z.string(),
  /** The next three runs (epoch ms); empty for manual-only or while schedules are paused. */
  nextRuns: z.array(z.number()),
  timeZone: z.string(),
  retention: RetentionPolicy,
  retentionSummary: z.string(),
  /** No successful backup for this long opens an alert. */
  staleAfterHours: z.number(),
});
export type PlanInfo = z.infer<typeof PlanInfo>;

export const SchedulePreview = z.object({
  summary: z.string(),
  nextRuns: z.array(z.number()),
  timeZone: z.string(),
});
export type SchedulePreview = z.infer<typeof SchedulePreview>;

/** What a prune would do, before it does it. */
export const PrunePreview = z.object({
  destination: z.string(),
  policySummary: z.string(),
  snapshots: z.array(
    z.object({
      snapshotId: z.string(),
      sourceName: z.string(),
      time: z.number(),
      files: z.number(),
      bytes: z.number(),
      keep: z.boolean(),
      reasons: z.array(z.string()),
    }),
  ),
  keep: z.number(),
  remove: z.number(),
  /** Snapshots prune leaves alone: other machines' sources, and manifests that cannot be read. */
  foreign: z.number(),
  damaged: z.number(),
  historyObjects: z.number(),
  bytesToFree: z.number(),
  collectBlocked: z.string().nullable(),
});
export type PrunePreview = z.infer<typeof PrunePreview>;

/** The 3-2-1 view: for one folder that has a policy, where a current copy of it lives. */
export const CopyCoverage = z.object({
  source: z.string(),
  folder: z.string(),
  /** Destinations holding a current copy (their latest backup of this source succeeded in time). */
  current: z.array(z.string()),
  /** Of those, the ones away from this machine (cloud buckets). */
  offsite: z.array(z.string()),
  /** Destinations meant to hold it whose copy is missing or out of date. */
  behind: z.array(z.string()),
});
export type CopyCoverage = z.infer<typeof CopyCoverage>;

export const DestinationSummary = z.object({
  id: z.string(),
  name: z.string(),
  provider: z.union([z.literal('local'), S3ProviderId]),
  label: z.string(),
  lastSuccessAt: z.number().nullable(),
  lastRunAt: z.number().nullable(),
  lastStatus: RunStatus.nullable(),
  lastError: z.string().nullable(),
  /** Over the last 30 results. */
  recentRuns: z.number(),
  recentSucceeded: z.number(),
  filesStored: z.number(),
  bytesStored: z.number(),
  filesFailed: z.number(),
  filesPending: z.number(),
  /** Runs in a row that failed, newest first. */
  consecutiveFailures: z.number(),
  averageDurationMs: z.number().nullable(),
  /** Bytes per week the snapshots grew over the last 30 days; null until there is a day of history. */
  growthPerWeek: z.number().nullable(),
  scheduleKind: z.enum(['manual', 'hourly', 'daily', 'weekly', 'monthly', 'cron']),
  scheduleSummary: z.string(),
  nextRunAt: z.number().nullable(),
  retentionSummary: z.string(),
  alerts: z.array(AlertInfo),
});
export type DestinationSummary = z.infer<typeof DestinationSummary>;

export const Dashboard = z.object({
  destinations: z.array(DestinationSummary),
  sources: z.number(),
  active: ActiveRun.nullable(),
  schedulesPaused: z.boolean(),
  /** The host's time zone: schedules are wall-clock times there. */
  timeZone: z.string(),
  /** Open alerts of every destination, oldest first. */
  alerts: z.array(AlertInfo),
});
export type Dashboard = z.infer<typeof Dashboard>;

export const Theme = z.enum(['system', 'light', 'dark']);
export const Settings = z.object({
  /** Where the database and secrets live (read-only here: set STRATA_HOME to move it). */
  dataFolder: z.string(),
  /** Files sent at once (1-64). */
  concurrency: z.number().int().min(1).max(64),
  /** Upload limit in bytes per second across all destinations; null = unlimited. */
  bandwidthLimit: z
    .number()
    .int()
    .min(16 * 1024)
    .nullable(),
  theme: Theme,
  /** Desktop: start Strata (in the tray) when the user logs in. */
  launchAtLogin: z.boolean(),
  /** Desktop: a notification after every successful backup too (failures always notify). */
  notifyOnSuccess: z.boolean(),
  /** Scheduled backups wait while the computer runs on battery. */
  skipOnBattery: z.boolean(),
  /** No scheduled backup starts while paused ("Back up now" still works). */
  schedulesPaused: z.boolean(),
  /** A webhook URL is saved (it is a secret: it is kept with the other secrets and never shown again). */
  webhookConfigured: z.boolean(),
  /** 'chat': a JSON POST on alerts (Slack, Mattermost, Discord, ntfy…); 'healthchecks': a ping after every run, '/fail' on failure. */
  webhookStyle: z.enum(['chat', 'healthchecks']),
});
export type Settings = z.infer<typeof Settings>;
export const SettingsPatch = Settings.omit({ dataFolder: true, webhookConfigured: true })
  .partial()
  .extend({
    /** A new webhook URL, or null to remove it. */
    webhookUrl: z
      .string()
      .max(2048)
      .regex(/^https?:\/\/\S+$/, 'give a full http:// or https:// URL')
      .nullable()
      .optional(),
  });
export type SettingsPatch = z.infer<typeof SettingsPatch>;

export const AppInfo = z.object({
  version: z.string(),
  /** Which host serves the UI. */
  host: z.enum(['headless', 'desktop']),
  platform: z.string(),
  dataFolder: z.string(),
  /** No source or no destination yet: show onboarding. */
  firstRun: z.boolean(),
  /** Where secrets are kept, in words ("OS keyring", "passphrase vault"). */
  secretStore: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const SecretsStatus = z.object({
  /** Where secrets are kept, in words. */
  store: z.string(),
  /** The passphrase vault is not open: cloud destinations cannot be used until it is. */
  locked: z.boolean(),
  /** No vault exists yet: unlocking creates one with the passphrase given. */
  creating: z.boolean(),
  /** Why it is locked, or a warning about the store. */
  message: z.string().optional(),
});
export type SecretsStatus = z.infer<typeof SecretsStatus>;

export const FolderListing = z.object({
  path: z.string(),
  parent: z.string().nullable(),
  home: z.string(),
  folders: z.array(z.object({ name: z.string(), path: z.string() })),
  error: z.string().optional(),
});
export type FolderListing = z.infer<typeof FolderListing>;

/** The error every failed call answers with: what happened and what to do. */
export const ApiErrorBody = z.object({
  code: z.string(),
  message: z.string(),
  hint: z.string().optional(),
  /** Validation failures: which input field. */
  field: z.string().optional(),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;
