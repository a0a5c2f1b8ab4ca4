/**
 * The API contract: every call (input and output schema) and every event. Both hosts (the
 * headless HTTP server and Electron's IPC) are generated from this table, and the renderer's
 * client is typed by it, so the three cannot drift.
 */
import { z } from 'zod';
import { RetentionPolicy } from '../retention.js';
import { ScheduleSpec } from '../schedule.js';
import { VerifyPlan } from '../verify-plan.js';
import { MAX_COMMAND_TIMEOUT_MS } from '../command-timeout.js';
import {
  CostComparison,
  CostOverview,
  DestinationCost,
  PriceField,
  PriceRowInfo,
  PriceTable,
  WhatIfResult,
} from './cost.js';
import {
  AbsolutePath,
  ActiveRun,
  BucketSourceDraft,
  CommandSourceDraft,
  DriveExportFormats,
  DriveSignIn,
  DriveSignInStatus,
  FileVersion,
  RestorePreview,
  RestoreReportInfo,
  RestoreRequest,
  RestoreSelection,
  RestoreTargets,
  SnapshotPage,
  SnapshotRef,
  RecoveryDiscovery,
  RepairReport,
  RepoPassphrase,
  VerifyReport,
  AlertInfo,
  CopyCoverage,
  PlanInfo,
  PrunePreview,
  SchedulePreview,
  AppInfo,
  Dashboard,
  DestinationDraft,
  DestinationInfo,
  FolderListing,
  HookInfo,
  LogLine,
  Name,
  PolicyInfo,
  RunInfo,
  RunStatus,
  SecretsStatus,
  Settings,
  SettingsPatch,
  SnapshotInfo,
  SourceInfo,
  SourcePath,
  TestResult,
  TreePage,
} from './entities.js';

const none = z.object({}).strict();
const ok = z.object({ ok: z.literal(true) });

function call<I extends z.ZodType, O extends z.ZodType>(input: I, output: O): { input: I; output: O } {
  return { input, output };
}

export const methods = {
  'app.info': call(none, AppInfo),
  /** Desktop app only: shows a folder (a restore's target) in the system's file manager. */
  'app.openFolder': call(z.object({ path: AbsolutePath }).strict(), ok),
  /** Subfolders of a local folder, for the folder picker (the host's own disk). */
  'fs.folders': call(z.object({ path: AbsolutePath.optional() }).strict(), FolderListing),

  'sources.list': call(none, z.array(SourceInfo)),
  'sources.add': call(z.object({ name: Name, path: AbsolutePath }).strict(), SourceInfo),
  'sources.remove': call(z.object({ name: Name }).strict(), ok),
  /** An S3-compatible bucket as a source; the secret is stored first and never sent back. */
  'sources.addBucket': call(z.object({ name: Name, settings: BucketSourceDraft }).strict(), SourceInfo),
  /**
   * A command's output (a database dump) as a source; its env values go to the secret store.
   * `destinations` ticks its one file for those at once (checked before anything is added).
   */
  'sources.addCommand': call(
    z.object({ name: Name, command: CommandSourceDraft, destinations: z.array(Name).max(64).optional() }).strict(),
    SourceInfo,
  ),
  /**
   * Starts a Google sign-in for a new Drive source, or to reconnect an existing one (its client id
   * and secret are kept when not given). Open the URL; poll `sources.gdrive.status` until done.
   */
  'sources.gdrive.signIn': call(
    z
      .object({
        name: Name,
        clientId: z.string().trim().min(1, 'give the OAuth client id').max(256).optional(),
        clientSecret: z.string().trim().min(1).max(256).optional(),
        exports: DriveExportFormats.optional(),
        followShortcuts: z.boolean().optional(),
      })
      .strict(),
    DriveSignIn,
  ),
  'sources.gdrive.status': call(z.object({ attempt: z.string() }).strict(), DriveSignInStatus),
  'sources.gdrive.cancel': call(z.object({ attempt: z.string() }).strict(), ok),
  /** Revokes Strata's access at Google and forgets the tokens; the source and its snapshots stay. */
  'sources.gdrive.disconnect': call(z.object({ name: Name }).strict(), ok),

  /** Children of a folder, paged, with checkboxes and badges per destination. */
  'tree.list': call(
    z
      .object({
        source: Name,
        folder: SourcePath,
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(2000).default(500),
      })
      .strict(),
    TreePage,
  ),

  'policies.list': call(z.object({ source: Name.optional() }).strict(), z.array(PolicyInfo)),
  /** Ticks or unticks one destination for a folder (or file): everything below follows it. */
  'policies.select': call(
    z.object({ source: Name, path: SourcePath, destination: Name, include: z.boolean() }).strict(),
    z.array(PolicyInfo),
  ),
  /** Exclusion patterns (gitignore syntax) and size cap of a folder's policy. */
  'policies.setRules': call(
    z
      .object({
        source: Name,
        folder: SourcePath,
        excludes: z.array(z.string().max(1024)).max(500),
        maxSize: z.number().int().min(0).nullable(),
      })
      .strict(),
    z.array(PolicyInfo),
  ),

  /** Google Drive sources: how Docs below a folder are exported; null inherits from above again. */
  'policies.setExports': call(
    z.object({ source: Name, folder: SourcePath, exports: DriveExportFormats.nullable() }).strict(),
    z.array(PolicyInfo),
  ),

  /** Hooks: commands run before and after a source's backup (the CLI's `strata hook`). */
  'hooks.list': call(z.object({ source: Name }).strict(), z.array(HookInfo)),
  /** Sets (or replaces) the folder's before or after hook; answers the source's hooks. */
  'hooks.set': call(
    z
      .object({
        source: Name,
        folder: SourcePath,
        phase: HookInfo.shape.phase,
        command: z.string().trim().min(1, 'give the command to run').max(4096),
        timeoutMs: z.number().int().min(1000).max(MAX_COMMAND_TIMEOUT_MS),
      })
      .strict(),
    z.array(HookInfo),
  ),
  'hooks.remove': call(
    z.object({ source: Name, folder: SourcePath, phase: HookInfo.shape.phase }).strict(),
    z.array(HookInfo),
  ),

  'destinations.list': call(none, z.array(DestinationInfo)),
  'destinations.add': call(z.object({ name: Name, settings: DestinationDraft }).strict(), DestinationInfo),
  /** Changes settings; a missing secret keeps the saved one. */
  'destinations.update': call(z.object({ name: Name, settings: DestinationDraft }).strict(), DestinationInfo),
  /** Tests a saved destination, or settings not saved yet (the editor's "Test connection"). */
  'destinations.test': call(
    z.union([
      z.object({ name: Name }).strict(),
      z.object({ name: Name.optional(), settings: DestinationDraft }).strict(),
    ]),
    TestResult,
  ),
  'destinations.remove': call(z.object({ name: Name }).strict(), ok),
  /** A vault's new passphrase: its key is re-wrapped, no data changes. A mirror has none (usage error). */
  'destinations.changePassphrase': call(z.object({ name: Name, passphrase: RepoPassphrase }).strict(), ok),

  /** "Back up now": all destinations, or the ones named. Answers at once; progress arrives as events. */
  'runs.start': call(z.object({ destinations: z.array(Name).optional() }).strict(), z.object({ runId: z.number() })),
  /** Stops the running backup at a safe point: what was sent stays recorded, the next run continues. */
  'runs.cancel': call(none, z.object({ cancelled: z.boolean() })),
  'runs.active': call(none, ActiveRun.nullable()),
  'runs.list': call(
    z
      .object({
        limit: z.number().int().min(1).max(500).default(50),
        /** Runs with an id below this (paging back through history). */
        before: z.number().int().optional(),
      })
      .strict(),
    z.array(RunInfo),
  ),
  'runs.log': call(
    z
      .object({
        runId: z.number().int(),
        level: z.enum(['all', 'problems']).default('all'),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(1000).default(200),
      })
      .strict(),
    z.object({ total: z.number(), lines: z.array(LogLine) }),
  ),

  /** A destination's schedule, retention and alert threshold, with the next runs. */
  'plans.get': call(z.object({ destination: Name }).strict(), PlanInfo),
  'plans.set': call(
    z
      .object({
        destination: Name,
        schedule: ScheduleSpec.optional(),
        retention: RetentionPolicy.optional(),
        /** Hours without a successful backup before an alert (1 h to 90 days); null restores the default. */
        staleAfterHours: z.number().int().min(1).max(2160).nullable().optional(),
        /** When the destination is verified on its own, after scheduled backups. */
        verify: VerifyPlan.optional(),
      })
      .strict(),
    PlanInfo,
  ),
  /** The words and next runs of a schedule being edited (a malformed cron is a typed error). */
  'schedules.preview': call(z.object({ schedule: ScheduleSpec }).strict(), SchedulePreview),
  /** What a prune of this destination would remove, and the space it would free. */
  'prune.preview': call(z.object({ destination: Name }).strict(), PrunePreview),
  /** Prunes now as a run of its own (events as for backups, trigger 'prune'). */
  'prune.start': call(z.object({ destination: Name }).strict(), z.object({ runId: z.number() })),
  'alerts.list': call(none, z.array(AlertInfo)),
  /** The 3-2-1 view: per folder with a policy, how many current copies and how many off this machine. */
  'coverage.get': call(none, z.array(CopyCoverage)),

  'snapshots.list': call(z.object({ destination: Name }).strict(), z.array(SnapshotInfo)),
  /** One level of a snapshot's tree, paged (folders first), for the restore wizard's browser. */
  'snapshots.browse': call(
    z
      .object({
        destination: Name,
        snapshot: SnapshotRef,
        source: Name.optional(),
        folder: SourcePath,
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(2000).default(500),
      })
      .strict(),
    SnapshotPage,
  ),
  /** Files and bytes a selection and its filters take in (the wizard's live count). */
  'restore.count': call(RestoreSelection.strict(), z.object({ files: z.number(), bytes: z.number() })),
  /** Where a snapshot can be restored to: its original place (or why not) and the buckets. */
  'restore.targets': call(
    z.object({ destination: Name, snapshot: SnapshotRef, source: Name.optional() }).strict(),
    RestoreTargets,
  ),
  /** The dry run: what would happen to each file, the totals, egress bytes and an estimated time. */
  'restore.preview': call(RestoreRequest.strict(), RestorePreview),
  /** Restores as a run of its own (trigger 'restore'); progress as run.progress, cancel with runs.cancel. */
  'restore.start': call(RestoreRequest.strict(), z.object({ runId: z.number() })),
  /** A restore's report (kept after it finished; a restore still running reports what it did so far). */
  'restore.report': call(z.object({ runId: z.number().int() }).strict(), RestoreReportInfo),
  /** Every stored version of one file across snapshots (all destinations, or one), newest first. */
  'versions.list': call(
    z.object({ source: Name, path: SourcePath, destination: Name.optional() }).strict(),
    z.array(FileVersion),
  ),
  /** What a destination holds (sources, snapshots), read from it alone: the first step of a disaster recovery. */
  'recovery.discover': call(z.object({ destination: Name }).strict(), RecoveryDiscovery),
  /** Rebuilds the local database from destinations (all, or one): sources, snapshot cache, file status. */
  'recovery.repairIndex': call(z.object({ destination: Name.optional() }).strict(), RepairReport),
  /** Verifies a destination as a run of its own (trigger 'verify'); the report arrives with verify.reports. */
  'verify.start': call(
    z
      .object({
        destination: Name,
        deep: z.boolean().default(false),
        /** Deep only: percent of objects read this time (a rotating sample), 1-100. */
        samplePercent: z.number().min(1).max(100).default(100),
      })
      .strict(),
    z.object({ runId: z.number() }),
  ),
  /** Recent verification reports, newest first (of one destination, or all). */
  'verify.reports': call(
    z.object({ destination: Name.optional(), limit: z.number().int().min(1).max(100).default(20) }).strict(),
    z.array(VerifyReport),
  ),
  /** Copies what one destination lacks (or holds corrupt) from another holding the same SHA-256. */
  'verify.repair': call(
    z.object({ destination: Name, from: Name, reportId: z.number().int() }).strict(),
    z.object({ repaired: z.number(), failed: z.array(z.object({ path: z.string(), error: z.string() })) }),
  ),
  'dashboard.get': call(none, Dashboard),

  /** Each destination's monthly estimate with its breakdown, usage and month-by-month history. */
  'cost.get': call(z.object({ destination: Name.optional() }).strict(), CostOverview),
  /** Counts what a destination stores by listing it (one LIST request per 1,000 objects), then estimates again. */
  'cost.measure': call(z.object({ destination: Name }).strict(), DestinationCost),
  /** The dated price table with the user's overrides. */
  'cost.prices': call(none, PriceTable),
  /** Overrides one price of a row; null goes back to the table's figure. */
  'cost.setPrice': call(
    z.object({ id: z.string().max(64), field: PriceField, value: z.number().min(0).max(1e9).nullable() }).strict(),
    PriceRowInfo,
  ),
  /** What unsaved ticks would add to (or take from) each destination, in bytes and per month. */
  'cost.whatIf': call(
    z
      .object({
        source: Name,
        changes: z
          .array(z.object({ path: SourcePath, destination: Name, include: z.boolean() }).strict())
          .min(1)
          .max(500),
      })
      .strict(),
    WhatIfResult,
  ),
  /**
   * Every provider and class priced for one selection: what the destination stores now, or (a new
   * destination) what the sources back up today. `provider`/`storageClass` mark the edited draft's row.
   */
  'cost.compare': call(
    z
      .object({
        destination: Name.optional(),
        provider: z.enum(['local', 'aws', 'r2', 'b2', 'wasabi', 'minio', 'other']).optional(),
        storageClass: z.string().max(64).optional(),
      })
      .strict(),
    CostComparison,
  ),

  /** Whether secrets can be read, and if not why (a passphrase vault nobody has unlocked). */
  'secrets.status': call(none, SecretsStatus),
  /** Opens (or, the first time, creates) the passphrase vault. A wrong passphrase is a typed error. */
  'secrets.unlock': call(z.object({ passphrase: z.string().min(1).max(1024) }).strict(), SecretsStatus),

  'settings.get': call(none, Settings),
  'settings.set': call(SettingsPatch.strict(), Settings),
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type InputOf<M extends MethodName> = z.input<Methods[M]['input']>;
export type OutputOf<M extends MethodName> = z.output<Methods[M]['output']>;

/** What changed, so views can reload just that. */
export const Topic = z.enum(['sources', 'destinations', 'policies', 'settings', 'runs', 'status', 'plans', 'alerts']);
export type Topic = z.infer<typeof Topic>;

export const events = {
  'run.started': z.object({ runId: z.number(), trigger: z.string(), destinations: z.array(z.string()) }),
  /** At most a few per second while a backup runs. */
  'run.progress': ActiveRun,
  'run.finished': z.object({ runId: z.number(), status: RunStatus, error: z.string().nullable() }),
  changed: z.object({ topics: z.array(Topic) }),
  /** Alerts that just opened or closed (the desktop app notifies the opened ones). */
  'alerts.changed': z.object({ opened: z.array(AlertInfo), closed: z.array(AlertInfo) }),
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventOf<E extends EventName> = z.output<Events[E]>;

/** One frame on the event stream. */
export interface EventFrame<E extends EventName = EventName> {
  event: E;
  data: EventOf<E>;
}

export const METHOD_NAMES = Object.keys(methods) as MethodName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];
