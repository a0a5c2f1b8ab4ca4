/**
 * The shapes that cross the API boundary (renderer ↔ host). Each is a zod schema so the
 * receiving side validates, and a type inferred from it so both sides agree at compile time.
 * Nothing here ever carries a secret: secret fields exist only in inputs, never in outputs.
 */
import { z } from 'zod';
import { RetentionPolicy } from '../retention.js';
import { ScheduleSpec } from '../schedule.js';
import { VerifyPlan } from '../verify-plan.js';
import { CostEstimate } from './cost.js';

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
  kind: z.enum(['local', 'bucket', 'gdrive', 'command']),
  /** The folder, bucket/prefix, 'Google Drive (account)', or 'pg_dump mydb → mydb.dump'. */
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

/** How backups are stored: browsable files ('mirror', the default) or deduplicated, encrypted chunks ('vault'). */
export const DestinationLayout = z.enum(['mirror', 'vault']);
export type DestinationLayout = z.infer<typeof DestinationLayout>;

export const LocalDestinationSettings = z.object({
  kind: z.literal('local'),
  path: AbsolutePath,
  /** Chosen when the destination is added, never changed; absent: mirror. */
  layout: DestinationLayout.optional(),
});
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
  /** Chosen when the destination is added, never changed; absent: mirror. */
  layout: DestinationLayout.optional(),
});
/** A destination's settings as stored and shown: no secret in it. */
export const DestinationSettings = z.discriminatedUnion('kind', [LocalDestinationSettings, S3DestinationSettings]);
export type DestinationSettings = z.infer<typeof DestinationSettings>;

/**
 * A vault's passphrase, typed once when the vault is added (created or joined): kept with the
 * other secrets on the host, never stored in the database nor sent back.
 */
export const RepoPassphrase = z.string().min(1, 'give the passphrase').max(1024);

/** Settings as entered in the editor: the S3 secret and a vault's passphrase ride along once and are never sent back. */
export const DestinationDraft = z.discriminatedUnion('kind', [
  LocalDestinationSettings.extend({
    /** Adding a vault only (required then). */
    repoPassphrase: RepoPassphrase.optional(),
  }),
  S3DestinationSettings.extend({
    /** Absent when editing: keep the saved secret. */
    secretAccessKey: z.string().min(1).max(1024).optional(),
    /** Adding a vault only (required then). */
    repoPassphrase: RepoPassphrase.optional(),
  }),
]);
export type DestinationDraft = z.infer<typeof DestinationDraft>;

/** A command source as the app adds it; `env` holds secret values (PGPASSWORD), sent once, never read back. */
export const CommandSourceDraft = z
  .object({
    argv: z.array(z.string().min(1).max(4096)).min(1).max(256),
    shell: z.boolean().optional(),
    outputName: z.string().min(1, 'give the file name').max(255),
    gzip: z.boolean().optional(),
    timeoutMs: z.number().int().positive().optional(),
    stderrFatal: z.boolean().optional(),
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().max(4096)).optional(),
  })
  .strict();
export type CommandSourceDraft = z.infer<typeof CommandSourceDraft>;

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
  step: z.enum(['config', 'credentials', 'write', 'read', 'list', 'delete', 'repository']),
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

/** A command a folder policy runs before or after its source's backup (one line, through the shell). */
export const HookInfo = z.object({
  source: z.string(),
  folder: z.string(),
  phase: z.enum(['before', 'after']),
  command: z.string(),
  timeoutMs: z.number(),
});
export type HookInfo = z.infer<typeof HookInfo>;

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
  /** The last verification that covered this snapshot, if any. */
  verified: z.object({ at: z.number(), mode: z.enum(['quick', 'deep']), ok: z.boolean() }).optional(),
});
export type SnapshotInfo = z.infer<typeof SnapshotInfo>;

/** One stored version of a file: distinct content, newest first. */
export const FileVersion = z.object({
  destination: z.string(),
  /** The newest snapshot holding this content: restore from it. */
  snapshotId: z.string(),
  /** When this content was first backed up (the oldest snapshot holding it). */
  firstSeen: z.number(),
  /** The newest snapshot's time. */
  lastSeen: z.number(),
  snapshots: z.number(),
  size: z.number(),
  mtime: z.number(),
  sha256: z.string(),
});
export type FileVersion = z.infer<typeof FileVersion>;

/** A snapshot series found on a destination (one source of one machine), read from the destination alone. */
export const DiscoveredSource = z.object({
  sourceId: z.string(),
  sourceName: z.string(),
  /** 'local', 'bucket' or 'gdrive' (as the snapshot's header says). */
  kind: z.string(),
  /** Where it was backed up from: the folder, bucket/prefix, or the Drive account. */
  root: z.string(),
  hostname: z.string(),
  snapshots: z.number(),
  /** The newest snapshot's time and id (null when every manifest is damaged). */
  latest: z.number().nullable(),
  latestSnapshotId: z.string().nullable(),
  /** A source with this id is set up on this machine already. */
  configured: z.boolean(),
});
export type DiscoveredSource = z.infer<typeof DiscoveredSource>;

/** What a destination holds, for "Restore from an existing backup". */
export const RecoveryDiscovery = z.object({
  destination: z.string(),
  /** strata.json's repository id; null when there is no Strata repository there. */
  repositoryId: z.string().nullable(),
  snapshots: z.number(),
  /** Snapshots whose manifest cannot be read. */
  damaged: z.number(),
  latest: z.number().nullable(),
  sources: z.array(DiscoveredSource),
});
export type RecoveryDiscovery = z.infer<typeof RecoveryDiscovery>;

/** What `recovery.repairIndex` (strata repair-index) did: the local database rebuilt from destinations. */
export const RepairReport = z.object({
  destinations: z.array(
    z.object({
      name: z.string(),
      repositoryId: z.string().nullable(),
      snapshots: z.number(),
      damaged: z.number(),
      /** Why this destination could not be read (the others still were). */
      error: z.string().nullable(),
    }),
  ),
  sources: z.array(
    DiscoveredSource.omit({ configured: true }).extend({
      /** created: set up again from the snapshots; present: already here; needs-credentials: a bucket or
       * Drive (add it again with --id); name-taken: another source here has its name. */
      status: z.enum(['created', 'present', 'needs-credentials', 'name-taken']),
      /** What happened, or what to do, in words. */
      message: z.string(),
      destinations: z.array(z.string()),
    }),
  ),
  /** Per (source, destination): the file status now follows this snapshot (synced badges). */
  synced: z.array(
    z.object({
      source: z.string(),
      destination: z.string(),
      snapshotId: z.string().nullable(),
      files: z.number(),
      /** False when the status already agreed with that snapshot. */
      rebuilt: z.boolean(),
      error: z.string().nullable(),
    }),
  ),
});
export type RepairReport = z.infer<typeof RepairReport>;

export const VerifyProblem = z.object({
  path: z.string(),
  snapshotId: z.string(),
  kind: z.enum(['missing', 'size', 'checksum', 'unreadable']),
  detail: z.string(),
  /** Another destination holds the same content (by SHA-256): it can be copied across. */
  repairableFrom: z.array(z.string()),
});
export type VerifyProblem = z.infer<typeof VerifyProblem>;

export const VerifyReport = z.object({
  id: z.number(),
  destination: z.string(),
  mode: z.enum(['quick', 'deep']),
  /** Deep only: the share of objects downloaded and re-hashed (100 = all). */
  samplePercent: z.number(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  status: z.enum(['running', 'ok', 'failed', 'error', 'cancelled']),
  snapshots: z.number(),
  objects: z.number(),
  objectsRead: z.number(),
  bytesRead: z.number(),
  problems: z.array(VerifyProblem),
  /** Set when the verification itself could not run (destination unreachable…). */
  error: z.string().nullable(),
});
export type VerifyReport = z.infer<typeof VerifyReport>;

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
  verify: VerifyPlan,
  verifySummary: z.string(),
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
  /** A vault frees space in two phases: unused packs are marked now and deleted by a later prune. */
  layout: z.enum(['mirror', 'vault']),
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
  /** The latest finished verification (quick or deep), or null when never verified. */
  lastVerification: z
    .object({
      reportId: z.number(),
      at: z.number(),
      mode: z.enum(['quick', 'deep']),
      status: z.enum(['ok', 'failed', 'error']),
      problems: z.number(),
      error: z.string().nullable(),
    })
    .nullable()
    .optional(),
  verifySummary: z.string().optional(),
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

/** A snapshot by id (a unique prefix is enough) or 'latest' (of the one source, or of `source`). */
export const SnapshotRef = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._-]+$/, "give a snapshot id or 'latest'");

/** One entry of a snapshot's tree, as the restore wizard browses it. */
export const SnapshotEntry = z.object({
  name: z.string(),
  path: z.string(),
  type: z.enum(['dir', 'file', 'symlink']),
  size: z.number().nullable(),
  mtime: z.number(),
  /** Folders: the files below, at every depth, and their bytes (for the live selection count). */
  files: z.number().optional(),
  bytes: z.number().optional(),
});
export type SnapshotEntry = z.infer<typeof SnapshotEntry>;

export const SnapshotPage = z.object({
  snapshotId: z.string(),
  sourceName: z.string(),
  folder: z.string(),
  /** All children of the folder (the page is a slice of them): folders first, then by name. */
  total: z.number(),
  offset: z.number(),
  entries: z.array(SnapshotEntry),
  /** The folder itself: files and bytes below it. */
  self: z.object({ files: z.number(), bytes: z.number() }),
});
export type SnapshotPage = z.infer<typeof SnapshotPage>;

/** Narrows a restore; epoch ms for the dates (modification time). */
export const RestoreFilterInput = z
  .object({
    pathPrefix: SourcePath.optional(),
    extensions: z.array(z.string().trim().min(1).max(32)).max(100).optional(),
    nameContains: z.string().max(256).optional(),
    since: z.number().optional(),
    until: z.number().optional(),
  })
  .strict();
export type RestoreFilterInput = z.infer<typeof RestoreFilterInput>;

/** Where restored files go: the place they came from, another folder on this computer, or a bucket. */
export const RestoreTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('original') }).strict(),
  z.object({ kind: z.literal('folder'), path: AbsolutePath }).strict(),
  /** An S3 destination or a bucket source, by name; keys go below `prefix`. */
  z.object({ kind: z.literal('bucket'), bucket: Name, prefix: z.string().max(1024).optional() }).strict(),
  /**
   * A bucket given by its settings and secret, for this restore only: nothing of it is saved (the
   * report names it by bucket/prefix). Keys go below the settings' prefix, then `prefix`.
   */
  z
    .object({ kind: z.literal('newBucket'), settings: BucketSourceDraft, prefix: z.string().max(1024).optional() })
    .strict(),
]);
export type RestoreTarget = z.infer<typeof RestoreTarget>;

export const ConflictRule = z.enum(['skip', 'overwrite', 'keep-both']);
export type ConflictRule = z.infer<typeof ConflictRule>;

/** What to restore: the snapshot, the ticked paths (none = all) and the filters. */
export const RestoreSelection = z.object({
  destination: Name,
  snapshot: SnapshotRef,
  /** Which source's snapshot, when the destination holds several and `snapshot` is 'latest'. */
  source: Name.optional(),
  /** Ticked files and folders; none means the whole snapshot. */
  paths: z.array(SourcePath).max(10_000).optional(),
  /** Paths below a ticked folder that are unticked again. */
  exclude: z.array(SourcePath).max(10_000).optional(),
  filter: RestoreFilterInput.default({}),
});
export type RestoreSelection = z.infer<typeof RestoreSelection>;

export const RestoreRequest = RestoreSelection.extend({
  target: RestoreTarget,
  /** Bucket targets take skip or overwrite (a key cannot be kept twice). */
  conflict: ConflictRule.default('skip'),
});
export type RestoreRequest = z.infer<typeof RestoreRequest>;

/** What a restore would do with one file: write it (nothing there), leave or replace what is there, write it beside under a new name, or nothing (the same content is already there). */
export const RestoreAction = z.enum(['write', 'skip', 'overwrite', 'keep-both', 'identical']);
export type RestoreAction = z.infer<typeof RestoreAction>;

/** Where the restore writes, in words ("/home/me/restored", "bucket media/recovered"). */
export const RestoreTargetInfo = z.object({ kind: z.enum(['folder', 'bucket']), label: z.string() });
export type RestoreTargetInfo = z.infer<typeof RestoreTargetInfo>;

/** Targets the wizard offers for a snapshot: the original place (when it can be written) and the buckets. */
export const RestoreTargets = z.object({
  original: z.object({
    available: z.boolean(),
    kind: z.enum(['folder', 'bucket']).nullable(),
    label: z.string().nullable(),
    /** Why the original place cannot be written (a Google Drive, a source not on this computer). */
    reason: z.string().optional(),
  }),
  /** S3 destinations and bucket sources a restore can write into. */
  buckets: z.array(z.object({ name: z.string(), kind: z.enum(['destination', 'source']), label: z.string() })),
});
export type RestoreTargets = z.infer<typeof RestoreTargets>;

/** The dry run: per file what would happen (the first ones), the counts, and what it will cost in bytes and time. */
export const RestorePreview = z.object({
  snapshotId: z.string(),
  sourceName: z.string(),
  snapshotTime: z.number(),
  target: RestoreTargetInfo,
  conflict: ConflictRule,
  files: z.number(),
  bytes: z.number(),
  counts: z.object({
    write: z.number(),
    skip: z.number(),
    overwrite: z.number(),
    keepBoth: z.number(),
    identical: z.number(),
  }),
  /** Bytes downloaded from the destination (what its provider bills as egress). */
  egressBytes: z.number(),
  items: z.array(
    z.object({ path: z.string(), size: z.number(), action: RestoreAction, renamedTo: z.string().optional() }),
  ),
  /** More files than `items` lists. */
  itemsTruncated: z.boolean(),
  /** Measured from recent restores from this destination, else its recent backups; null before any. */
  throughput: z.object({ bytesPerSecond: z.number(), basis: z.enum(['restores', 'backups']) }).nullable(),
  estimatedSeconds: z.number().nullable(),
  /** What the destination's provider charges for this restore (egress, requests, retrieval), from the price table. */
  cost: CostEstimate,
});
export type RestorePreview = z.infer<typeof RestorePreview>;

/** How a restore ended: every file's SHA-256 checked, the failures with their reasons, where it went. */
export const RestoreReportInfo = z.object({
  runId: z.number(),
  status: RunStatus,
  destination: z.string(),
  snapshotId: z.string(),
  sourceName: z.string(),
  target: RestoreTargetInfo,
  conflict: ConflictRule,
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  filesTotal: z.number(),
  bytesTotal: z.number(),
  /** Files written, and their bytes. */
  files: z.number(),
  bytes: z.number(),
  /** Files whose SHA-256 matched the snapshot: every one written, and every one already there. */
  verified: z.number(),
  /** Already held this version (a restore run again continues where it stopped). */
  identical: z.number(),
  /** Different files left alone (rule 'skip'). */
  skipped: z.number(),
  /** Written beside an existing file under a new name (rule 'keep both'). */
  renamed: z.number(),
  failed: z.number(),
  /** The first failures (up to 1,000), each with its reason. */
  failures: z.array(z.object({ path: z.string(), error: z.string() })),
  /** Why it stopped early (disk full, cancelled); null when it ran to the end. */
  stopped: z.string().nullable(),
});
export type RestoreReportInfo = z.infer<typeof RestoreReportInfo>;
