/**
 * The shared API (shared/api/contract.ts) implemented over the engine. Both hosts hand every
 * call to `handle`, which validates the input against the contract, runs it, and answers either
 * the result or a typed error: a bad call never throws out of here.
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import { homedir, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ZodError } from 'zod';
import { methods, type EventName, type EventOf, type MethodName, type OutputOf } from '../../shared/api/contract.js';
import type { PriceField } from '../../shared/api/cost.js';
import type {
  ActiveRun,
  ApiErrorBody,
  BucketSourceDraft,
  CommandSourceDraft,
  DriveExportFormats,
  PlanInfo,
  DestinationDraft,
  DestinationInfo,
  PolicyInfo,
  Progress,
  ProbeStep as ApiProbeStep,
  RunInfo,
  SourceInfo,
  TestResult,
  VerifyReport as VerifyReportInfo,
  DestinationSummary as DestinationSummaryInfo,
} from '../../shared/api/entities.js';
import { describeError, StrataError } from '../../shared/errors.js';
import { forgetListings, listTree } from './browse/tree-listing.js';
import { layoutOf, type DestinationConfig, type S3DestinationConfig } from './destinations/config.js';
import { assertDraftKeepsLayout, vaultOfDraft } from './destinations/drafts.js';
import { LocalDestination } from './destinations/local-destination.js';
import type { Destination } from './destinations/types.js';
import { labelOf, type Engine, type PolicyView } from './engine.js';
import { destinationSecretName, vaultSecretName } from './secrets/secret-store.js';
import { vaultExists, vaultPath, VaultStore } from './secrets/vault-store.js';
import { sourceLabel, type DestinationRecord, type SourceRecord } from './store/catalog.js';
import { logPage } from './store/run-store.js';
import { WEBHOOK_SECRET, type EngineSettings } from './store/settings-store.js';
import { SignInAttempts } from './sources/gdrive/sign-in-attempts.js';
import type { HookPhase } from './store/hook-store.js';
import type { VerifyRecord } from './store/verify-store.js';
import { publicProblem, type StoredProblem } from './verify/verify-job.js';
import { describeRetention, isKeepAll, type RetentionPolicy } from '../../shared/retention.js';
import { describeSchedule, type ScheduleSpec } from '../../shared/schedule.js';
import { describeVerifyPlan, type VerifyPlan } from '../../shared/verify-plan.js';
import { systemClock, type Clock } from './schedule/clock.js';
import { nextRuns, validateCron } from './schedule/next-run.js';
import { RunQueue, type Trigger } from './schedule/run-queue.js';
import { Scheduler } from './schedule/scheduler.js';
import { copyCoverage } from './health/coverage.js';
import { RestoreService, restoreHandlers, type RunSlot } from './restore/restore-service.js';
import { discover } from './recovery/discover.js';
import { repairIndex } from './recovery/repair-index.js';
import { listVersions } from './recovery/versions.js';
import { alertInfos, announceRun, reconcileAlerts } from './health/notify.js';
import type { RunSummary } from './health/webhook.js';
import type { ProgressSnapshot } from './transfer/progress.js';
import { STRATA_VERSION } from './version.js';

export type Reply = { ok: true; result: unknown } | { ok: false; error: ApiErrorBody };
export type EventListener = <E extends EventName>(event: E, data: EventOf<E>) => void;

export interface ServiceOptions {
  host: 'headless' | 'desktop';
  /** How often the tree is told to refresh badges while a backup runs. */
  statusIntervalMs?: number;
  /** The desktop app says where it keeps secrets, and anything the user should know about it. */
  secrets?: { description: string; warning?: string | undefined };
  /** The scheduler's clock and power state (tests inject both). */
  clock?: Clock;
  onBattery?: () => boolean;
  /** Delay before a catch-up run after start or wake (default a minute). */
  catchUpDelayMs?: number;
  /** How often alerts are re-evaluated between runs (time alone opens "no recent backup"). */
  alertCheckMs?: number;
  /** The desktop app shows a folder in the system's file manager (Electron's shell.openPath). */
  openFolder?: (path: string) => Promise<void>;
}

type Handlers = { [M in MethodName]: (input: never) => Promise<OutputOf<M>> | OutputOf<M> };

interface Running {
  info: ActiveRun;
  controller: AbortController;
  done: Promise<void>;
}

export class StrataService {
  private readonly listeners = new Set<EventListener>();
  private running: Running | undefined;
  private readonly signIns = new SignInAttempts();
  private readonly handlers: Handlers;
  private readonly queue: RunQueue;
  private scheduler: Scheduler | undefined;
  private alertTimer: unknown;
  private readonly restores: RestoreService;
  /** `recovery.repairIndex` is rebuilding the local database: no backup starts meanwhile. */
  private repairing = false;

  constructor(
    private readonly engine: Engine,
    private opts: ServiceOptions,
  ) {
    this.restores = new RestoreService(engine, this.restoreSlot());
    this.handlers = this.makeHandlers();
    this.queue = new RunQueue({
      busy: () => this.running !== undefined || this.repairing,
      run: async (destinations, trigger) => (await this.startRun(destinations, trigger)).done,
      onError: (err) => engine.runs.log(null, 'error', `a scheduled backup could not start: ${describeError(err)}`),
    });
  }

  private get clock(): Clock {
    return this.opts.clock ?? systemClock;
  }

  /** Scheduled backups and alert checks (the desktop app, `strata serve`, `strata daemon`). */
  startScheduler(): void {
    if (this.scheduler) return;
    const e = this.engine;
    this.scheduler = new Scheduler({
      clock: this.clock,
      timeZone: () => e.timeZone,
      destinations: () => {
        const names = new Map(e.catalog.listDestinations().map((d) => [d.id, d.name]));
        return e.plans
          .all()
          .filter((p) => names.has(p.destId))
          .map((p) => ({ ...p, name: names.get(p.destId)! }));
      },
      markSlot: (destId, at) => e.plans.markSlot(destId, at),
      paused: () => e.settings.get().schedulesPaused,
      waitReason: () =>
        e.settings.get().skipOnBattery && this.opts.onBattery?.() ? 'the computer runs on battery' : null,
      trigger: (destinations, why) => this.queue.enqueue(destinations, why),
      ...(this.opts.catchUpDelayMs !== undefined ? { catchUpDelayMs: this.opts.catchUpDelayMs } : {}),
    });
    this.scheduler.start();
    this.checkAlerts();
    const every = this.opts.alertCheckMs ?? 10 * 60_000;
    const tick = (): void => {
      this.checkAlerts();
      this.alertTimer = this.clock.setTimeout(tick, every);
    };
    this.alertTimer = this.clock.setTimeout(tick, every);
  }

  /** The machine woke from sleep: missed slots catch up. */
  wake(): void {
    this.scheduler?.wake();
    this.checkAlerts();
  }

  /** Destinations waiting for the running backup to finish. */
  get queued(): string[] {
    return this.queue.pending;
  }

  nextRunAt(destId: string): number | null {
    return this.scheduler?.nextRunAt(destId) ?? null;
  }

  /** Validates, runs, and answers one call. */
  async handle(method: string, rawInput: unknown): Promise<Reply> {
    if (!Object.hasOwn(methods, method)) {
      return fail({
        code: 'not-found',
        message: `no API method '${method}'`,
        hint: 'update the app and the host together',
      });
    }
    const m = method as MethodName;
    const parsed = methods[m].input.safeParse(rawInput ?? {});
    if (!parsed.success) return fail(validationError(parsed.error));
    try {
      const handler = this.handlers[m] as (input: unknown) => unknown;
      const result = await handler(parsed.data);
      return { ok: true, result: methods[m].output.parse(result) };
    } catch (err) {
      return fail(toErrorBody(err));
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops a running backup at a safe point and waits for it (for a graceful shutdown). */
  async shutdown(): Promise<void> {
    this.signIns.cancelAll();
    this.scheduler?.stop();
    this.scheduler = undefined;
    if (this.alertTimer !== undefined) this.clock.clearTimeout(this.alertTimer);
    this.alertTimer = undefined;
    const r = this.running;
    if (!r) return;
    r.controller.abort();
    await r.done;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  private emit<E extends EventName>(event: E, data: EventOf<E>): void {
    for (const l of this.listeners) {
      try {
        l(event, data);
      } catch {
        // One broken listener (a closed socket) must not stop the others.
      }
    }
  }

  private changed(...topics: EventOf<'changed'>['topics']): void {
    this.emit('changed', { topics });
  }

  private makeHandlers(): Handlers {
    const e = this.engine;
    return {
      'app.info': async () => ({
        version: STRATA_VERSION,
        host: this.opts.host,
        platform: platform(),
        dataFolder: e.home,
        // A destination holding snapshots is a backup to restore from, not a first run (disaster recovery
        // may find only sources that need credentials first).
        firstRun:
          e.catalog.listDestinations().length === 0 ||
          (e.catalog.listSources().length === 0 && !e.db.prepare('SELECT 1 FROM snapshots LIMIT 1').get()),
        secretStore: await this.secretStoreLabel(),
      }),
      'fs.folders': async ({ path }: { path?: string }) => listFolders(path),
      'app.openFolder': async ({ path }: { path: string }) => {
        if (!this.opts.openFolder) {
          throw new StrataError('usage', 'only the desktop app can open a folder', `open ${path} in your file manager`);
        }
        // Folders only: opening a file would run it if it is a program.
        const st = await stat(path).catch(() => undefined);
        if (!st?.isDirectory()) throw new StrataError('not-found', `${path} is not a folder`, 'check the path');
        await this.opts.openFolder(path);
        return { ok: true as const };
      },

      'sources.list': () => e.catalog.listSources().map(sourceInfo),
      'sources.add': async ({ name, path }: { name: string; path: string }) => {
        const s = await e.addLocalSource(name, path);
        this.changed('sources');
        return sourceInfo(s);
      },
      'sources.addBucket': async ({ name, settings }: { name: string; settings: BucketSourceDraft }) => {
        const { secretAccessKey, ...config } = settings;
        const s = await e.addBucketSource(name, config, secretAccessKey);
        this.changed('sources');
        return sourceInfo(s);
      },
      'sources.addCommand': async (i: { name: string; command: CommandSourceDraft; destinations?: string[] }) => {
        const { env, ...config } = i.command;
        const to = i.destinations ?? [];
        for (const d of to) e.catalog.destination(d); // a wrong name fails before the source exists
        const s = await e.addCommandSource(i.name, config, env ?? {});
        if (to.length > 0) e.setPolicy(i.name, '', to);
        if (to.length > 0) this.changed('sources', 'policies');
        else this.changed('sources');
        return sourceInfo(s);
      },
      'sources.gdrive.signIn': async (input: {
        name: string;
        clientId?: string;
        clientSecret?: string;
        exports?: DriveExportFormats;
        followShortcuts?: boolean;
      }) => {
        const attempt = await e.connectDrive(input);
        const id = this.signIns.track(attempt, () => {
          forgetListings();
          this.changed('sources', 'status');
        });
        // The UI opens it (in the desktop app, its window-open handler sends https links to the system browser).
        return { attempt: id, url: attempt.url };
      },
      'sources.gdrive.status': ({ attempt }: { attempt: string }) => {
        const st = this.signIns.status(attempt);
        if (st.state === 'done') return { state: 'done' as const, source: sourceInfo(st.source) };
        return st;
      },
      'sources.gdrive.cancel': ({ attempt }: { attempt: string }) => {
        this.signIns.cancel(attempt);
        return { ok: true as const };
      },
      'sources.gdrive.disconnect': async ({ name }: { name: string }) => {
        this.assertIdle('disconnect a source');
        const { revoked } = await e.disconnectDrive(name);
        if (!revoked) {
          throw new StrataError(
            'network',
            `Strata forgot the Google tokens of '${name}' but could not reach Google to revoke them`,
            'remove Strata at https://myaccount.google.com/permissions to revoke the access',
          );
        }
        this.changed('sources', 'status');
        return { ok: true as const };
      },
      'sources.remove': async ({ name }: { name: string }) => {
        this.assertIdle('remove a source');
        await e.removeSource(name);
        this.changed('sources', 'policies', 'status');
        return { ok: true as const };
      },

      'tree.list': async (input: { source: string; folder: string; offset: number; limit: number }) => {
        const src = e.catalog.source(input.source);
        e.index.flush();
        return listTree(e.db, {
          sourceId: src.id,
          sourceName: src.name,
          reader: await e.folderReader(src),
          folder: input.folder,
          offset: input.offset,
          limit: input.limit,
          destIds: e.catalog.listDestinations().map((d) => d.id),
          policies: e.policies.forSource(src.id),
        });
      },

      'policies.list': ({ source }: { source?: string }) => this.policies(source),
      'policies.select': (i: { source: string; path: string; destination: string; include: boolean }) => {
        e.selectPolicy(i.source, i.path, i.destination, i.include);
        this.changed('policies');
        return this.policies(i.source);
      },
      'policies.setRules': (i: { source: string; folder: string; excludes: string[]; maxSize: number | null }) => {
        e.setPolicyRules(i.source, i.folder, i.excludes, i.maxSize ?? undefined);
        this.changed('policies');
        return this.policies(i.source);
      },
      'policies.setExports': (i: { source: string; folder: string; exports: DriveExportFormats | null }) => {
        e.setPolicyExports(i.source, i.folder, i.exports ?? undefined);
        this.changed('policies');
        return this.policies(i.source);
      },

      'hooks.list': ({ source }: { source: string }) => e.listHooks(source),
      'hooks.set': (i: { source: string; folder: string; phase: HookPhase; command: string; timeoutMs: number }) => {
        e.setHook(i.source, i.folder, i.phase, i.command, i.timeoutMs);
        this.changed('policies');
        return e.listHooks(i.source);
      },
      'hooks.remove': (i: { source: string; folder: string; phase: HookPhase }) => {
        e.removeHook(i.source, i.folder, i.phase);
        this.changed('policies');
        return e.listHooks(i.source);
      },

      'destinations.list': async () => Promise.all(e.catalog.listDestinations().map((d) => this.destinationInfo(d))),
      'destinations.add': async ({ name, settings }: { name: string; settings: DestinationDraft }) => {
        let rec: DestinationRecord;
        const vault = vaultOfDraft(settings);
        if (settings.kind === 'local') rec = await e.addLocalDestination(name, settings.path, vault);
        else {
          if (!settings.secretAccessKey) {
            throw new StrataError('auth', 'no secret access key given', 'enter the secret access key of this key id');
          }
          rec = await e.addS3Destination(name, s3Config(settings), settings.secretAccessKey, vault);
        }
        this.changed('destinations', 'status');
        return this.destinationInfo(rec);
      },
      'destinations.update': async ({ name, settings }: { name: string; settings: DestinationDraft }) => {
        this.assertIdle('change a destination');
        assertDraftKeepsLayout(name, e.catalog.destination(name).config, settings);
        // The engine keeps the saved layout; only the connection settings go on.
        const config: DestinationConfig =
          settings.kind === 'local' ? { kind: 'local', path: settings.path } : s3Config(settings);
        const rec = await e.updateDestination(
          name,
          config,
          settings.kind === 's3' ? settings.secretAccessKey : undefined,
        );
        this.changed('destinations', 'status');
        return this.destinationInfo(rec);
      },
      'destinations.test': async (input: { name?: string; settings?: DestinationDraft }) => this.test(input),
      'destinations.changePassphrase': async ({ name, passphrase }: { name: string; passphrase: string }) => {
        this.assertIdle("change a vault's passphrase");
        await e.changeVaultPassphrase(name, passphrase);
        this.changed('destinations');
        return { ok: true as const };
      },
      'destinations.remove': async ({ name }: { name: string }) => {
        this.assertIdle('remove a destination');
        await e.removeDestination(name);
        this.changed('destinations', 'policies', 'status');
        return { ok: true as const };
      },

      'runs.start': async ({ destinations }: { destinations?: string[] }) => ({
        runId: (await this.startRun(destinations, 'manual')).runId,
      }),
      'runs.cancel': () => {
        const r = this.running;
        // A prune stops only between its steps, which are short: it is left to finish.
        if (!r || r.info.trigger === 'prune') return { cancelled: false };
        r.info.cancelling = true;
        r.controller.abort();
        this.emit('run.progress', r.info);
        return { cancelled: true };
      },
      'runs.active': () => this.running?.info ?? null,
      'runs.list': ({ limit, before }: { limit: number; before?: number }) =>
        e.runs.recentRuns(limit, before).map((r) => this.runInfo(r)),
      'runs.log': (i: { runId: number; level: 'all' | 'problems'; offset: number; limit: number }) => {
        e.index.flush();
        const page = logPage(e.db, i.runId, i.level, i.offset, i.limit);
        const names = this.nameMaps();
        return {
          total: page.total,
          lines: page.lines.map((l) => ({
            time: l.time,
            level: l.level,
            source: l.sourceId ? (names.sources.get(l.sourceId) ?? l.sourceId) : null,
            destination: l.destId ? (names.dests.get(l.destId) ?? l.destId) : null,
            path: l.path,
            message: l.message,
          })),
        };
      },

      'snapshots.list': async ({ destination }: { destination: string }) => {
        const verified = snapshotVerdicts(e.verifications.list(e.catalog.destination(destination).id, 100));
        return (await e.listSnapshots(destination)).map((s) => ({
          snapshotId: s.snapshotId,
          sourceId: s.sourceId,
          sourceName: s.sourceName,
          time: s.time.getTime(),
          files: s.files,
          bytes: s.bytes,
          errors: s.errors,
          ...(s.damaged ? { damaged: s.damaged } : {}),
          ...(verified.has(s.snapshotId) ? { verified: verified.get(s.snapshotId)! } : {}),
        }));
      },
      'verify.start': (i: { destination: string; deep: boolean; samplePercent: number }) => this.startVerify(i),
      'verify.reports': ({ destination, limit }: { destination?: string; limit: number }) =>
        e.verifications
          .list(destination ? e.catalog.destination(destination).id : undefined, limit)
          .map((r) => verifyReport(r, e.catalog.findDestination(r.destId)?.name ?? r.destId)),
      'verify.repair': async (i: { destination: string; from: string; reportId: number }) => {
        this.assertIdle('repair a destination');
        const out = await e.repairDestination(i.destination, i.from, i.reportId);
        this.changed('status');
        return out;
      },
      'versions.list': async (q: { source: string; path: string; destination?: string }) => {
        const { versions, failures } = await listVersions(e, q);
        // Some destinations answered: their versions; none did: why.
        if (!versions.length && failures[0]) {
          throw new StrataError('network', `${failures[0].destination}: ${failures[0].error}`, 'try again later');
        }
        return versions;
      },
      'recovery.discover': ({ destination }: { destination: string }) => discover(e, destination),
      'recovery.repairIndex': async ({ destination }: { destination?: string }) => {
        this.assertIdle('rebuild the index');
        if (this.repairing)
          throw new StrataError('busy', 'the index is being rebuilt already', 'wait for it to finish');
        this.repairing = true;
        try {
          const report = await repairIndex(e, { destination });
          forgetListings();
          this.changed('sources', 'policies', 'status');
          return report;
        } finally {
          this.repairing = false;
          this.queue.idle();
        }
      },
      ...restoreHandlers(() => this.restores),
      'cost.get': ({ destination }: { destination?: string }) => e.costs.overview(destination),
      'cost.measure': async ({ destination }: { destination: string }) => {
        const out = await e.costs.measure(destination);
        this.changed('status', 'destinations');
        return out;
      },
      'cost.prices': () => e.costs.table(),
      'cost.setPrice': ({ id, field, value }: { id: string; field: PriceField; value: number | null }) => {
        const row = e.costs.setPrice(id, field, value);
        this.changed('settings');
        return row;
      },
      'cost.whatIf': (i: { source: string; changes: { path: string; destination: string; include: boolean }[] }) =>
        e.costs.whatIf(i.source, i.changes),
      'cost.compare': (i: { destination?: string; provider?: string; storageClass?: string }) => e.costs.compare(i),
      'dashboard.get': () => {
        const status = e.status();
        const recs = new Map(e.catalog.listDestinations().map((d) => [d.name, d]));
        const alerts = alertInfos(this.engine, e.alerts.open());
        const paused = e.settings.get().schedulesPaused;
        return {
          sources: status.sources.length,
          active: this.running?.info ?? null,
          schedulesPaused: paused,
          timeZone: e.timeZone,
          alerts,
          destinations: status.destinations.map((d) => {
            const rec = recs.get(d.name)!;
            const h = e.health(rec.id);
            const plan = e.plans.get(rec.id);
            return {
              id: rec.id,
              name: d.name,
              provider: rec.config.kind === 'local' ? ('local' as const) : rec.config.provider,
              label: d.label,
              lastSuccessAt: h.lastSuccessAt,
              lastRunAt: h.lastRunAt,
              lastStatus: h.lastStatus,
              lastError: h.lastError,
              recentRuns: h.recentRuns,
              recentSucceeded: h.recentSucceeded,
              filesStored: d.files,
              bytesStored: d.bytes,
              filesFailed: d.failedFiles,
              filesPending: d.pendingFiles,
              consecutiveFailures: h.consecutiveFailures,
              averageDurationMs: h.averageDurationMs,
              growthPerWeek: h.growthPerWeek,
              scheduleKind: plan.schedule.kind,
              scheduleSummary: describeSchedule(plan.schedule),
              nextRunAt: paused ? null : (this.nextRunAt(rec.id) ?? this.slotAfterNow(plan.schedule)),
              retentionSummary: describeRetention(plan.retention),
              alerts: alerts.filter((a) => a.destination === d.name),
              lastVerification: lastVerification(e.verifications.latest(rec.id)),
              verifySummary: describeVerifyPlan(plan.verify),
            };
          }),
        };
      },

      'plans.get': ({ destination }: { destination: string }) => this.planInfo(destination),
      'plans.set': (i: {
        destination: string;
        schedule?: ScheduleSpec;
        retention?: RetentionPolicy;
        staleAfterHours?: number | null;
        verify?: VerifyPlan;
      }) => {
        if (i.schedule) e.setSchedule(i.destination, i.schedule);
        if (i.verify) e.setVerifyPlan(i.destination, i.verify);
        if (i.retention) e.setRetention(i.destination, i.retention);
        if (i.staleAfterHours !== undefined) e.setStaleAfter(i.destination, i.staleAfterHours);
        this.scheduler?.refresh();
        this.checkAlerts();
        this.changed('plans', 'status');
        return this.planInfo(i.destination);
      },
      'schedules.preview': ({ schedule }: { schedule: ScheduleSpec }) => {
        if (schedule.kind === 'cron') validateCron(schedule.expression);
        return {
          summary: describeSchedule(schedule),
          nextRuns: nextRuns(schedule, new Date(e.now()), e.timeZone, 3).map((d) => d.getTime()),
          timeZone: e.timeZone,
        };
      },
      'prune.preview': async ({ destination }: { destination: string }) => {
        const r = await e.prune(destination, { dryRun: true });
        return {
          destination: r.destination,
          policySummary: r.policySummary,
          snapshots: r.snapshots,
          keep: r.keep,
          remove: r.remove,
          foreign: r.foreign,
          damaged: r.damaged,
          historyObjects: r.historyObjects,
          bytesToFree: r.bytesToFree,
          collectBlocked: r.collectBlocked,
          layout: layoutOf(e.catalog.destination(destination).config),
        };
      },
      'prune.start': ({ destination }: { destination: string }) => this.startPrune(destination),
      'alerts.list': () => alertInfos(this.engine, e.alerts.open()),
      'coverage.get': () => copyCoverage(e, e.now()),

      'secrets.status': () => this.secretsStatus(),
      'secrets.unlock': async ({ passphrase }: { passphrase: string }) => {
        const store = await VaultStore.open({ path: vaultPath(e.home), passphrase });
        await store.ensureCreated();
        e.useSecretStore(store);
        this.opts.secrets = undefined;
        this.changed('destinations', 'status');
        return this.secretsStatus();
      },

      'settings.get': () => ({ dataFolder: e.home, ...e.settings.get() }),
      'settings.set': async ({ webhookUrl, ...patch }: Partial<EngineSettings> & { webhookUrl?: string | null }) => {
        if (webhookUrl !== undefined) {
          const store = await e.secrets();
          if (webhookUrl === null) await store.delete(WEBHOOK_SECRET);
          else await store.set(WEBHOOK_SECRET, webhookUrl);
          patch.webhookConfigured = webhookUrl !== null;
        }
        const next = e.settings.set(patch);
        if (patch.schedulesPaused !== undefined) this.scheduler?.refresh();
        this.changed('settings', ...(patch.schedulesPaused !== undefined ? (['plans', 'status'] as const) : []));
        return { dataFolder: e.home, ...next };
      },
    };
  }

  private policies(source?: string): PolicyInfo[] {
    const ids = new Map(this.engine.catalog.listDestinations().map((d) => [d.name, d.id]));
    return this.engine.listPolicies(source).map((p: PolicyView) => ({
      source: p.source,
      folder: p.folder,
      destinations: Object.fromEntries(p.destinations.map((d) => [ids.get(d.name)!, d.include])),
      excludes: p.excludes,
      maxSize: p.maxSize ?? null,
      ...(p.exports ? { exports: p.exports } : {}),
    }));
  }

  private nameMaps(): { sources: Map<string, string>; dests: Map<string, string> } {
    return {
      sources: new Map(this.engine.catalog.listSources().map((s) => [s.id, s.name])),
      dests: new Map(this.engine.catalog.listDestinations().map((d) => [d.id, d.name])),
    };
  }

  private runInfo(r: {
    id: number;
    trigger: string;
    status: RunInfo['status'];
    startedAt: number;
    finishedAt: number | null;
    error: string | null;
  }): RunInfo {
    const names = this.nameMaps();
    return {
      ...r,
      results: this.engine.runs.resultsOf(r.id).map((x) => ({
        source: names.sources.get(x.sourceId) ?? x.sourceId,
        sourceId: x.sourceId,
        destination: names.dests.get(x.destId) ?? x.destId,
        destinationId: x.destId,
        status: x.status,
        snapshotId: x.snapshotId ?? null,
        filesTotal: x.filesTotal,
        bytesTotal: x.bytesTotal,
        filesUploaded: x.filesUploaded,
        bytesUploaded: x.bytesUploaded,
        filesDeleted: x.filesDeleted,
        filesFailed: x.filesFailed,
        error: x.error ?? null,
        startedAt: x.startedAt,
        finishedAt: x.finishedAt ?? null,
      })),
    };
  }

  private async destinationInfo(d: DestinationRecord): Promise<DestinationInfo> {
    let secretSaved = false;
    if (d.config.kind === 's3') {
      try {
        secretSaved = !!(await (await this.engine.secrets()).get(destinationSecretName(d.id)));
      } catch {
        secretSaved = false;
      }
    }
    return {
      id: d.id,
      name: d.name,
      provider: d.config.kind === 'local' ? 'local' : d.config.provider,
      label: labelOf(d.config),
      // Said outright (the database leaves a mirror's out), so the app never guesses.
      settings: { ...d.config, layout: layoutOf(d.config) },
      secretSaved,
      createdAt: d.createdAt,
    };
  }

  private async secretsStatus(): Promise<OutputOf<'secrets.status'>> {
    const creating = !(await vaultExists(vaultPath(this.engine.home)));
    try {
      await this.engine.secrets();
      const warning = this.opts.secrets?.warning;
      return {
        store: await this.secretStoreLabel(),
        locked: false,
        creating: false,
        ...(warning ? { message: warning } : {}),
      };
    } catch (err) {
      // Only a missing passphrase is fixed by the banner: then the desktop app's reason for the vault
      // (no OS encryption) is worth saying, the CLI's advice (STRATA_PASSPHRASE) would mislead.
      const missing = err instanceof StrataError && err.code === 'passphrase';
      const message = missing ? this.opts.secrets?.warning : describeError(err);
      return { store: 'passphrase vault', locked: true, creating, ...(message ? { message } : {}) };
    }
  }

  private async secretStoreLabel(): Promise<string> {
    const given = this.opts.secrets;
    if (given) return given.warning ? `${given.description}: ${given.warning}` : given.description;
    try {
      const kind = (await this.engine.secrets()).kind;
      return kind === 'keyring' ? 'OS keyring' : kind === 'vault' ? 'passphrase vault' : String(kind);
    } catch (err) {
      return `not available: ${describeError(err)}`;
    }
  }

  private assertIdle(what: string): void {
    if (this.running) {
      throw new StrataError('busy', `cannot ${what} while a backup runs`, 'wait for it to finish, or cancel it');
    }
  }

  /** "Test connection": the saved destination, or unsaved settings from the editor. */
  private async test(input: { name?: string; settings?: DestinationDraft }): Promise<TestResult> {
    const e = this.engine;
    const steps: ApiProbeStep[] = [];
    let dest: Destination | undefined;
    let label = '';
    try {
      if (!input.settings) {
        const rec = e.catalog.destination(input.name!);
        label = labelOf(rec.config);
        dest = await e.openDestination(rec).catch((err: unknown) => {
          if (rec.config.kind === 'local') return new LocalDestination(rec.config.path);
          throw err;
        });
      } else if (input.settings.kind === 'local') {
        label = resolve(input.settings.path);
        // Saving creates the folder when its parent is there (a new folder on a backup disk); so does the test.
        if (!(await stat(dirname(label)).catch(() => undefined))?.isDirectory()) {
          throw new StrataError('not-found', `the parent of ${label} does not exist`, 'mount the disk or share first');
        }
        await mkdir(label, { recursive: true });
        dest = new LocalDestination(label);
      } else {
        const config = s3Config(input.settings);
        label = labelOf(config);
        let secret = input.settings.secretAccessKey;
        const saved = input.name ? e.catalog.findDestination(input.name) : undefined;
        if (!secret && saved) secret = await (await e.secrets()).get(destinationSecretName(saved.id));
        if (!secret) {
          steps.push({ step: 'credentials', ok: false, ms: 0, error: 'no secret access key given: enter it above' });
          return summarize(steps, label);
        }
        const { S3Destination } = await import('./destinations/s3/s3-destination.js');
        dest = new S3Destination(config, { accessKeyId: config.accessKeyId, secretAccessKey: secret });
      }
    } catch (err) {
      const code = err instanceof StrataError ? err.code : '';
      steps.push({ step: code === 'auth' ? 'credentials' : 'config', ok: false, ms: 0, error: describeError(err) });
      return summarize(steps, label);
    }
    try {
      steps.push(...(await dest.probe()));
      // A draft learns now whether the place already holds the other layout, or a vault its passphrase does not open.
      if (input.settings && steps.every((s) => s.ok)) {
        const saved = input.name ? e.catalog.findDestination(input.name) : undefined;
        const layout = input.settings.layout ?? (saved ? layoutOf(saved.config) : 'mirror');
        const passphrase =
          input.settings.repoPassphrase ??
          (saved && layout === 'vault' ? await (await e.secrets()).get(vaultSecretName(saved.id)) : undefined);
        steps.push(await e.probeRepository(dest, layout, passphrase));
      }
    } finally {
      await dest.close().catch(() => undefined);
    }
    return summarize(steps, label);
  }

  private startRun(
    destinations: string[] | undefined,
    trigger: 'manual' | Trigger,
  ): Promise<{ runId: number; done: Promise<void> }> {
    const e = this.engine;
    if (this.running) {
      throw new StrataError('busy', 'a backup is already running', 'wait for it to finish, or cancel it');
    }
    if (this.repairing) {
      throw new StrataError('busy', 'the index is being rebuilt from the destinations', 'back up once it has finished');
    }
    // Names are checked up front so a typo answers at once, not as a failed run.
    for (const d of destinations ?? []) e.catalog.destination(d);
    const settings = e.settings.get();
    const controller = new AbortController();
    let statusTimer: NodeJS.Timeout | undefined;
    // onStart can run before backup() returns its promise, so `done` is settled through this instead.
    let settle: () => void = () => undefined;
    const done = new Promise<void>((r) => (settle = r));
    return new Promise((resolveStart, rejectStart) => {
      let started = false;
      const finish = async (status: RunInfo['status'], error: string | null, names: string[]): Promise<void> => {
        clearInterval(statusTimer);
        const runId = this.running?.info.runId;
        // Scheduled backups apply their destinations' retention right after, in the same run.
        if (runId !== undefined && trigger !== 'manual' && !controller.signal.aborted) {
          await this.pruneAfterBackup(runId, names);
          await this.verifyAfterBackup(runId, names);
        }
        this.running = undefined;
        forgetListings();
        if (runId !== undefined) {
          this.emit('run.finished', { runId, status, error });
          this.afterRun({ runId, trigger, status, error, destinations: names });
        }
        this.changed('runs', 'status');
      };
      let names: string[] = [];
      void e
        .backup({
          destinations,
          trigger,
          signal: controller.signal,
          concurrency: settings.concurrency,
          bandwidthLimit: settings.bandwidthLimit,
          onStart: (runId, dests) => {
            started = true;
            names = dests.map((d) => d.name);
            const info: ActiveRun = {
              runId,
              trigger,
              startedAt: Date.now(),
              destinations: dests.map((d) => d.id),
              cancelling: false,
              total: toProgress(undefined),
              perDestination: {},
            };
            this.running = { info, controller, done };
            this.emit('run.started', { runId, trigger, destinations: info.destinations });
            this.changed('runs');
            statusTimer = setInterval(() => this.changed('status'), this.opts.statusIntervalMs ?? 2000);
            statusTimer.unref();
            resolveStart({ runId, done });
          },
          onProgress: (p) => {
            const r = this.running;
            if (!r) return;
            r.info.total = toProgress(p);
            r.info.perDestination = Object.fromEntries(
              Object.entries(p.perDestination ?? {}).map(([id, d]) => [id, toProgress(d)]),
            );
            this.emit('run.progress', r.info);
          },
        })
        .then(
          (outcome) => finish(outcome.status, outcome.results.find((r) => r.error)?.error ?? null, names),
          (err: unknown) => {
            if (!started) {
              clearInterval(statusTimer);
              rejectStart(err);
              return;
            }
            return finish('failed', describeError(err), names);
          },
        )
        .finally(settle);
    });
  }

  /** Retention of the destinations a scheduled run just backed up, logged in that run. */
  private async pruneAfterBackup(runId: number, names: string[]): Promise<void> {
    const e = this.engine;
    const results = e.runs.resultsOf(runId);
    for (const name of names) {
      const rec = e.catalog.listDestinations().find((d) => d.name === name);
      if (!rec || isKeepAll(e.plans.get(rec.id).retention)) continue;
      // A destination that failed this time is left as it is: its newest snapshot may be old.
      if (results.some((r) => r.destId === rec.id && r.status === 'failed')) continue;
      try {
        await e.prune(name, { runId });
      } catch (err) {
        e.runs.log(runId, 'error', `retention of ${name} did not run: ${describeError(err)}`, { destId: rec.id });
      }
    }
  }

  /** A restore borrows the running slot: nothing else runs meanwhile, and runs.cancel stops it. */
  private restoreSlot(): RunSlot {
    return {
      busy: () => this.running !== undefined,
      begin: (info, controller, done) => {
        this.running = { info, controller, done };
        this.emit('run.started', { runId: info.runId, trigger: info.trigger, destinations: info.destinations });
        this.changed('runs');
      },
      progress: (info) => this.emit('run.progress', info),
      end: ({ runId, status, error }) => {
        this.running = undefined;
        this.emit('run.finished', { runId, status, error });
        // Not announced to the webhook as a backup would be; scheduled backups that waited go now.
        this.queue.idle();
        this.changed('runs', 'status');
      },
    };
  }

  /** Destinations whose verification schedule is due are verified right after their scheduled backup. */
  private async verifyAfterBackup(runId: number, names: string[]): Promise<void> {
    const e = this.engine;
    for (const name of names) {
      const rec = e.catalog.findDestination(name);
      if (!rec || !e.verifyDue(name)) continue;
      const plan = e.plans.get(rec.id).verify;
      try {
        const r = await e.verify(name, { deep: plan.deep, samplePercent: plan.samplePercent, runId });
        e.runs.log(
          runId,
          r.status === 'ok' ? 'info' : 'error',
          r.status === 'ok'
            ? `${name}: verified (${r.mode}), ${r.objects} stored versions intact`
            : `${name}: verification ${r.status}: ${r.error ?? `${r.problems.length} stored version(s) missing or damaged`}`,
          { destId: rec.id },
        );
      } catch (err) {
        e.runs.log(runId, 'error', `${name}: verification did not run: ${describeError(err)}`, { destId: rec.id });
      }
    }
  }

  /**
   * A run of its own on one destination (prune, verify): Activity shows it, the running slot keeps
   * anything else from starting meanwhile, and its end goes through the same alerts and webhook.
   */
  private startSolo(
    trigger: 'prune' | 'verify',
    destination: string,
    work: (
      runId: number,
      signal: AbortSignal,
      progress: (total: ActiveRun['total']) => void,
    ) => Promise<{ status: RunInfo['status']; error: string | null }>,
  ): { runId: number } {
    const e = this.engine;
    if (this.running) throw new StrataError('busy', 'a backup is running', `${trigger} once it has finished`);
    const rec = e.catalog.destination(destination);
    const runId = e.runs.start(trigger, e.now());
    const controller = new AbortController();
    let settle: () => void = () => undefined;
    const done = new Promise<void>((r) => (settle = r));
    const info: ActiveRun = {
      runId,
      trigger,
      startedAt: Date.now(),
      destinations: [rec.id],
      cancelling: false,
      total: toProgress(undefined),
      perDestination: {},
    };
    this.running = { info, controller, done };
    this.emit('run.started', { runId, trigger, destinations: [rec.id] });
    this.changed('runs');
    const progress = (total: ActiveRun['total']): void => {
      if (this.running?.info.runId !== runId) return;
      this.running.info.total = total;
      this.emit('run.progress', this.running.info);
    };
    void work(runId, controller.signal, progress)
      .catch((err: unknown) => ({ status: 'failed' as const, error: describeError(err) }))
      .then(({ status, error }) => {
        e.runs.finish(runId, status, error ?? undefined, e.now());
        this.running = undefined;
        this.emit('run.finished', { runId, status, error });
        this.afterRun({ runId, trigger, status, error, destinations: [rec.name] });
        this.changed('runs', 'status', 'alerts');
      })
      .finally(settle);
    return { runId };
  }

  /** Prune on demand, as a run of its own. */
  private startPrune(destination: string): { runId: number } {
    return this.startSolo('prune', destination, async (runId) => {
      const r = await this.engine.prune(destination, { runId });
      return r.outcome?.collectBlocked
        ? { status: 'partial', error: r.outcome.collectBlocked }
        : { status: 'ok', error: null };
    });
  }

  /** Verification on demand, as a run of its own; progress counts the stored versions checked. */
  private startVerify(i: { destination: string; deep: boolean; samplePercent: number }): { runId: number } {
    return this.startSolo('verify', i.destination, async (runId, signal, progress) => {
      const r = await this.engine.verify(i.destination, {
        deep: i.deep,
        samplePercent: i.samplePercent,
        runId,
        signal,
        onProgress: (p) =>
          progress({ ...toProgress(undefined), filesScanned: p.done, filesToSend: p.total, bytesSent: p.bytesRead }),
      });
      if (r.status === 'ok') return { status: 'ok', error: null };
      if (r.status === 'cancelled') return { status: 'cancelled', error: 'cancelled' };
      return { status: 'failed', error: r.error ?? `${r.problems.length} stored version(s) missing or damaged` };
    });
  }

  /** After every run: alerts, the webhook, and whatever the schedule queued meanwhile. */
  private afterRun(run: RunSummary): void {
    this.checkAlerts();
    void announceRun(this.engine, run);
    this.queue.idle();
  }

  private checkAlerts(): void {
    const { change } = reconcileAlerts(this.engine);
    if (!change.opened.length && !change.closed.length) return;
    this.emit('alerts.changed', change);
    this.changed('alerts', 'status');
  }

  private slotAfterNow(schedule: ScheduleSpec): number | null {
    return nextRuns(schedule, new Date(this.engine.now()), this.engine.timeZone, 1)[0]?.getTime() ?? null;
  }

  private planInfo(destination: string): PlanInfo {
    return this.engine.planView(destination);
  }
}

function lastVerification(r: VerifyRecord | undefined): DestinationSummaryInfo['lastVerification'] {
  if (!r || r.status === 'running' || r.status === 'cancelled') return null;
  return {
    reportId: r.id,
    at: r.finishedAt ?? r.startedAt,
    mode: r.mode,
    status: r.status,
    problems: r.problems.length,
    error: r.error,
  };
}

/** Per snapshot, the newest verification that covered it (reports come newest first). */
function snapshotVerdicts(reports: VerifyRecord[]): Map<string, { at: number; mode: 'quick' | 'deep'; ok: boolean }> {
  const out = new Map<string, { at: number; mode: 'quick' | 'deep'; ok: boolean }>();
  for (const r of reports) {
    if (r.status !== 'ok' && r.status !== 'failed') continue;
    const bad = new Set(r.badSnapshotIds);
    for (const id of r.snapshotIds) {
      if (!out.has(id)) out.set(id, { at: r.finishedAt ?? r.startedAt, mode: r.mode, ok: !bad.has(id) });
    }
  }
  return out;
}

function verifyReport(r: VerifyRecord, destination: string): VerifyReportInfo {
  return {
    id: r.id,
    destination,
    mode: r.mode,
    samplePercent: r.samplePercent,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    status: r.status,
    snapshots: r.snapshots,
    objects: r.objects,
    objectsRead: r.objectsRead,
    bytesRead: r.bytesRead,
    problems: (r.problems as StoredProblem[]).map(publicProblem),
    error: r.error,
  };
}

function sourceInfo(s: SourceRecord): SourceInfo {
  const info: SourceInfo = {
    id: s.id,
    name: s.name,
    kind: s.config.kind,
    path: sourceLabel(s.config),
    createdAt: s.createdAt,
  };
  if (s.config.kind === 'gdrive') {
    info.connected = !s.config.signedOut;
    if (s.config.account) info.account = s.config.account;
  }
  return info;
}

function fail(error: ApiErrorBody): Reply {
  return { ok: false, error };
}

function validationError(err: ZodError): ApiErrorBody {
  const issue = err.issues[0];
  const field = issue?.path.join('.') || undefined;
  return {
    code: 'usage',
    message: `invalid input${field ? ` at '${field}'` : ''}: ${issue?.message ?? 'not what this call takes'}`,
    hint: 'check the value and try again',
    ...(field ? { field } : {}),
  };
}

function toErrorBody(err: unknown): ApiErrorBody {
  if (err instanceof StrataError)
    return { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  if (err instanceof ZodError) {
    // Our own output failed its schema: a bug, said plainly rather than sent half-formed.
    return {
      code: 'internal',
      message: 'the host produced an answer that does not match the API',
      hint: 'report this',
    };
  }
  return { code: 'internal', message: describeError(err) };
}

function s3Config(d: Extract<DestinationDraft, { kind: 's3' }>): S3DestinationConfig {
  return {
    kind: 's3',
    provider: d.provider,
    bucket: d.bucket,
    prefix: d.prefix ?? '',
    accessKeyId: d.accessKeyId,
    ...(d.region ? { region: d.region } : {}),
    ...(d.endpoint ? { endpoint: d.endpoint } : {}),
    ...(d.storageClass ? { storageClass: d.storageClass } : {}),
    ...(d.pathStyle !== undefined ? { pathStyle: d.pathStyle } : {}),
  };
}

const STEP_WORDS: Record<ApiProbeStep['step'], string> = {
  config: 'checking the settings',
  credentials: 'finding the credentials',
  write: 'writing a test file',
  read: 'reading it back',
  list: 'listing',
  delete: 'deleting the test file',
  repository: 'checking what it holds',
};

function summarize(steps: ApiProbeStep[], label: string): TestResult {
  const failed = steps.find((s) => !s.ok);
  const ok = steps.length > 0 && !failed;
  return {
    ok,
    steps,
    summary: ok
      ? `Connected: Strata can write, read, list and delete in ${label}.`
      : `Failed at ${STEP_WORDS[failed?.step ?? 'config']}: ${failed?.error ?? 'no step ran'}`,
  };
}

function toProgress(p: ProgressSnapshot | undefined): Progress {
  return {
    phase: p?.phase ?? 'scan',
    filesScanned: p?.filesScanned ?? 0,
    bytesScanned: p?.bytesScanned ?? 0,
    filesToSend: p?.filesToSend ?? 0,
    bytesToSend: p?.bytesToSend ?? 0,
    filesSent: p?.filesSent ?? 0,
    bytesSent: p?.bytesSent ?? 0,
    filesFailed: p?.filesFailed ?? 0,
    scanDone: p?.scanDone ?? false,
    bytesPerSecond: p?.bytesPerSecond ?? 0,
    ...(p?.etaSeconds !== undefined ? { etaSeconds: p.etaSeconds } : {}),
    ...(p?.current !== undefined ? { current: p.current } : {}),
  };
}

/** Subfolders of a folder on this machine, for the folder picker. Hidden folders are left out. */
async function listFolders(path?: string): Promise<OutputOf<'fs.folders'>> {
  const home = homedir();
  const abs = resolve(path ?? home);
  const parent = dirname(abs) === abs ? null : dirname(abs);
  try {
    const dirents = await readdir(abs, { withFileTypes: true });
    const folders = dirents
      .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
      .map((d) => ({ name: d.name, path: join(abs, d.name) }))
      .sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' }));
    return { path: abs, parent, home, folders };
  } catch (err) {
    return { path: abs, parent, home, folders: [], error: describeError(err) };
  }
}
