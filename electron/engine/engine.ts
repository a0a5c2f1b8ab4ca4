import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { normalizeFolder } from '../../shared/paths.js';
import { compilePolicies } from '../../shared/policy.js';
import { Costs } from './cost/costs.js';
import { VaultChunkStore } from './store/vault-chunk-store.js';
import type { BlobCodec } from './vault/codec.js';
import type { ChunkingOptions } from './vault/chunker.js';
import type { MasterKeyCache, RepoKeyOptions } from './vault/repo-key.js';
import { probeRepository } from './destinations/probe-repository.js';
import { IndexCache } from './vault/index-cache.js';
import { VaultDestination } from './vault/vault-destination.js';
import { changeVaultPassphrase, initOrOpenVault, openVault } from './vault/vault-repo.js';
import { runBackup, type BackupOptions, type BackupOutcome } from './backup/run-backup.js';
import { layoutOf, type DestinationConfig, type S3DestinationConfig } from './destinations/config.js';
import { LocalDestination } from './destinations/local-destination.js';
import { openDestination } from './destinations/open-destination.js';
import { resolveS3Settings } from './destinations/s3/presets.js';
import type { Destination, ProbeStep } from './destinations/types.js';
import { StrataError } from '../../shared/errors.js';
import { strataHome } from './home.js';
import { processAlive } from './process-alive.js';
import { listSnapshots, type SnapshotInfo } from './repository/snapshot-list.js';
import { readRepoConfig } from './repository/repo-config.js';
import { restoreSnapshot, type ConflictRule, type RestoreProgress, type RestoreReport } from './restore/restore.js';
import { restoreToBucket } from './restore/restore-to-bucket.js';
import type { RestoreFilter } from './restore/restore-filter.js';
import { openSecretStore, type PromptFn } from './secrets/open-secret-store.js';
import {
  destinationSecretName,
  sourceSecretName,
  vaultKeyCacheName,
  vaultSecretName,
  type SecretStore,
} from './secrets/secret-store.js';
import {
  Catalog,
  type BucketSourceConfig,
  type CommandSourceConfig,
  type DestinationRecord,
  type SourceRecord,
} from './store/catalog.js';
import { checkCommandSource } from './commands/command-check.js';
import { HookStore, type Hook, type HookPhase } from './store/hook-store.js';
import { DEFAULT_HOOK_TIMEOUT_MS } from '../../shared/command-timeout.js';
import { openBucketFromSettings, openBucketOf, openSource, type OpenedSource } from './sources/open-source.js';
import { clientSecretName, tokenSecretName } from './sources/gdrive/drive-secret-names.js';
import type { DriveConnectAttempt, DriveConnectCtx, DriveConnectOptions } from './sources/gdrive/drive-connect.js';
import type { BucketSourceDraft, DriveExportFormats } from '../../shared/api/entities.js';
import { localFolderReader, type FolderReader } from './browse/folder-reader.js';
import { openDatabase, type Db } from './store/database.js';
import { FileIndex } from './store/file-index.js';
import { PolicyStore } from './store/policy-store.js';
import { RunStore, type DestinationHealth, type RunRecord } from './store/run-store.js';
import { SnapshotCache } from './store/snapshot-cache.js';
import { SettingsStore } from './store/settings-store.js';
import { AlertStore, type AlertRecord } from './store/alert-store.js';
import { PlanStore } from './store/plan-store.js';
import { VerifyStore, type VerifyRecord } from './store/verify-store.js';
import {
  repairFromReport,
  runVerify,
  type RepairOutcome,
  type VerifyDeps,
  type VerifyRunOptions,
} from './verify/verify-job.js';
import { acquireRunLock } from './backup/run-lock.js';
import { pruneDestination, type PruneOptions, type PruneReport } from './retention/prune-job.js';
import { describeRetention, RetentionPolicy } from '../../shared/retention.js';
import { describeSchedule, ScheduleSpec } from '../../shared/schedule.js';
import { describeVerifyPlan, verifyDue, VerifyPlan } from '../../shared/verify-plan.js';
import type { PlanInfo as PlanView } from '../../shared/api/entities.js';
import { nextRuns, systemTimeZone, validateCron } from './schedule/next-run.js';
import { destinationHealth, type HealthFigures } from './health/destination-health.js';
import { alertConditions, type GrowthRule } from './health/alert-rules.js';
import { inheritedInclude } from '../../shared/selection.js';
import { STRATA_VERSION } from './version.js';

export interface EngineOptions {
  home?: string;
  env?: NodeJS.ProcessEnv;
  /** Asks for a passphrase without echo; absent where nobody can answer. */
  prompt?: PromptFn;
  /** Overrides the secret store (tests, the desktop app's safeStorage store). */
  secrets?: SecretStore;
  /** better-sqlite3 built for another runtime's ABI (the desktop app's Electron). */
  sqliteBinding?: string;
  /** IANA zone schedules and retention buckets follow (default: the machine's, or TZ). */
  timeZone?: string;
  /** How old an unused history/ object must be before prune deletes it (default a day). */
  pruneGraceMs?: number;
  /** Tests only: a cheaper scrypt for vault keys. */
  vaultKdf?: RepoKeyOptions;
  /** The growth alert's thresholds (tests lower them). */
  growthRule?: GrowthRule;
  /** The clock snapshots, prune and alerts read (tests simulate months with it). */
  now?: () => number;
}

export interface PolicyView {
  source: string;
  folder: string;
  destinations: { name: string; include: boolean }[];
  excludes: string[];
  maxSize?: number | undefined;
  /** Google Drive: Docs export formats set at this folder. */
  exports?: DriveExportFormats | undefined;
}

export interface DestinationStatus {
  name: string;
  kind: string;
  label: string;
  health: DestinationHealth;
  files: number;
  bytes: number;
  failedFiles: number;
  pendingFiles: number;
}

/**
 * The engine's front door: everything the CLI (and later the app's service layer) does goes
 * through here. Opens the status database under the data folder; secrets are opened lazily,
 * only when a destination needs one.
 */
export class Engine {
  readonly db: Db;
  readonly catalog: Catalog;
  readonly policies: PolicyStore;
  readonly index: FileIndex;
  readonly runs: RunStore;
  readonly snapshots: SnapshotCache;
  readonly settings: SettingsStore;
  readonly plans: PlanStore;
  readonly alerts: AlertStore;
  readonly verifications: VerifyStore;
  readonly costs: Costs;
  readonly chunkLists: VaultChunkStore;
  readonly hooks: HookStore;
  private zone: string | undefined;

  /** The schedules' time zone: the system's unless given, looked up on first use (~20 ms of ICU). */
  get timeZone(): string {
    return (this.zone ??= systemTimeZone());
  }
  readonly tmpDir: string;
  private secretStore: Promise<SecretStore> | undefined;
  private readonly openedSources = new Map<string, Promise<OpenedSource>>();
  /** Vault keys by destination id: scrypt is slow on purpose, so it runs once per process. */
  private readonly vaultKeys = new Map<string, Promise<{ codec: BlobCodec; chunking: ChunkingOptions }>>();

  constructor(
    readonly home: string,
    private readonly opts: EngineOptions = {},
  ) {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    this.tmpDir = makeTmpDir(join(home, 'tmp'));
    this.db = openDatabase(join(home, 'strata.db'), { nativeBinding: opts.sqliteBinding });
    this.catalog = new Catalog(this.db);
    this.policies = new PolicyStore(this.db);
    this.index = new FileIndex(this.db);
    this.runs = new RunStore(this.db);
    this.snapshots = new SnapshotCache(this.db);
    this.settings = new SettingsStore(this.db);
    this.plans = new PlanStore(this.db);
    this.alerts = new AlertStore(this.db);
    this.verifications = new VerifyStore(this.db);
    this.zone = opts.timeZone;
    this.chunkLists = new VaultChunkStore(this.db);
    this.hooks = new HookStore(this.db);
    this.costs = new Costs({
      db: this.db,
      catalog: this.catalog,
      plans: this.plans,
      policies: this.policies,
      timeZone: () => this.timeZone,
      now: () => this.now(),
      openDestination: (rec) => this.openDestination(rec),
      openSource: (src) => this.openSource(src),
    });
    if (opts.secrets) this.secretStore = Promise.resolve(opts.secrets);
  }

  now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }

  /** The better-sqlite3 build in use (the desktop app's is for Electron), for scratch databases. */
  get sqliteBinding(): string | undefined {
    return this.opts.sqliteBinding;
  }

  static open(opts: EngineOptions = {}): Engine {
    return new Engine(opts.home ?? strataHome(opts.env), opts);
  }

  secrets(): Promise<SecretStore> {
    this.secretStore ??= openSecretStore({
      home: this.home,
      env: this.opts.env ?? process.env,
      prompt: this.opts.prompt,
    });
    return this.secretStore;
  }

  /** Replaces the secret store (the desktop app chooses one once the database is open). */
  useSecretStore(store: SecretStore): void {
    this.secretStore = Promise.resolve(store);
  }

  /** Names of the secrets the configured destinations need. */
  secretNames(): string[] {
    return [
      ...this.catalog
        .listDestinations()
        .filter((d) => d.config.kind === 's3')
        .map((d) => destinationSecretName(d.id)),
      ...this.catalog
        .listDestinations()
        .filter((d) => layoutOf(d.config) === 'vault')
        .map((d) => vaultSecretName(d.id)),
      ...this.catalog
        .listSources()
        .filter((s) => s.config.kind === 'bucket')
        .map((s) => sourceSecretName(s.id)),
      ...this.catalog
        .listSources()
        .filter((s) => s.config.kind === 'gdrive')
        .flatMap((s) => [clientSecretName(s.id), tokenSecretName(s.id)]),
    ];
  }

  /** `id` adopts an existing snapshot series (to continue it from this machine). */
  async addLocalSource(name: string, path: string, id?: string): Promise<SourceRecord> {
    const abs = resolve(path);
    const s = await stat(abs).catch(() => undefined);
    if (!s?.isDirectory()) {
      throw new StrataError('not-found', `${abs} is not a folder`, 'give the path of an existing folder to back up');
    }
    if (id !== undefined && !/^[a-z0-9][a-z0-9-]{0,80}$/.test(id)) {
      throw new StrataError(
        'usage',
        `'${id}' is not a source id`,
        "copy the id from 'strata snapshots --json' (sourceId)",
      );
    }
    return this.catalog.addSource(name, { kind: 'local', path: abs }, id);
  }

  async addLocalDestination(
    name: string,
    dir: string,
    vault?: { passphrase: string } | undefined,
  ): Promise<DestinationRecord> {
    const abs = resolve(dir);
    const parent = await stat(join(abs, '..')).catch(() => undefined);
    if (!parent?.isDirectory()) {
      throw new StrataError(
        'not-found',
        `the parent of ${abs} does not exist`,
        'mount the disk or share first, or give another folder',
      );
    }
    mkdirSync(abs, { recursive: true });
    const rec = this.catalog.addDestination(name, { kind: 'local', path: abs, ...(vault ? { layout: 'vault' } : {}) });
    if (vault) await this.setUpVault(rec, vault.passphrase, () => this.catalog.removeDestination(name));
    return rec;
  }

  /**
   * A vault destination: the vault is created (or, when the destination already holds one, opened,
   * which proves the passphrase), then the passphrase is kept with the other secrets. On any
   * failure the destination is not added.
   */
  private async setUpVault(rec: DestinationRecord, passphrase: string, undo: () => void): Promise<void> {
    try {
      const raw = await openDestination(rec.name, rec.id, { ...rec.config, layout: undefined }, () => this.secrets());
      try {
        // The unwrapped key is cached on the way, so the first backup skips the slow derivation.
        await initOrOpenVault(raw, passphrase, this.opts.vaultKdf ?? {}, await this.vaultKeyCache(rec.id));
      } finally {
        await raw.close();
      }
      await (await this.secrets()).set(vaultSecretName(rec.id), passphrase);
    } catch (err) {
      await (await this.secrets()).delete(vaultKeyCacheName(rec.id)).catch(() => undefined);
      undo();
      throw err;
    }
  }

  /** Where this machine keeps a vault's unwrapped master key (see openRepoKeyCached). */
  private async vaultKeyCache(destId: string): Promise<MasterKeyCache> {
    const secrets = await this.secrets();
    const name = vaultKeyCacheName(destId);
    return { get: () => secrets.get(name), set: (v: string) => secrets.set(name, v) };
  }

  /** A new passphrase for a vault: the key is re-wrapped (strata.json), no data changes. */
  async changeVaultPassphrase(name: string, newPassphrase: string): Promise<void> {
    const rec = this.catalog.destination(name);
    if (layoutOf(rec.config) !== 'vault') {
      throw new StrataError('usage', `'${name}' is a mirror destination: it has no passphrase`, 'only vaults have one');
    }
    const secrets = await this.secrets();
    const old = await secrets.get(vaultSecretName(rec.id));
    if (!old) throw new StrataError('auth', `the passphrase of '${name}' is not saved`, 'add the destination again');
    const raw = await openDestination(rec.name, rec.id, { ...rec.config, layout: undefined }, () => this.secrets());
    try {
      await changeVaultPassphrase(raw, old, newPassphrase, this.opts.vaultKdf ?? {});
    } finally {
      await raw.close();
    }
    await secrets.set(vaultSecretName(rec.id), newPassphrase);
    await secrets.delete(vaultKeyCacheName(rec.id)); // bound to the old wrapping: only clutter now
    this.vaultKeys.delete(rec.id);
  }

  /** Stores the secret first, so a destination never exists without its key. */
  async addS3Destination(
    name: string,
    config: Omit<S3DestinationConfig, 'kind'>,
    secretAccessKey: string,
    vault?: { passphrase: string } | undefined,
  ): Promise<DestinationRecord> {
    const full: S3DestinationConfig = { kind: 's3', ...config, ...(vault ? { layout: 'vault' } : {}) };
    full.prefix = resolveS3Settings(full).prefix;
    const rec = this.catalog.addDestination(name, full);
    await this.saveSecretOrUndo(destinationSecretName(rec.id), secretAccessKey, () =>
      this.catalog.removeDestination(name),
    );
    if (vault) {
      await this.setUpVault(rec, vault.passphrase, () => {
        this.catalog.removeDestination(name);
        void this.secrets().then((s) => s.delete(destinationSecretName(rec.id)));
      });
    }
    return rec;
  }

  /** New settings for a destination; a new secret replaces the saved one, none keeps it. */
  async updateDestination(
    name: string,
    config: DestinationConfig,
    secretAccessKey?: string,
  ): Promise<DestinationRecord> {
    const rec = this.catalog.destination(name);
    if (config.kind === 's3') {
      config = { ...config, prefix: resolveS3Settings(config).prefix };
      if (secretAccessKey) await (await this.secrets()).set(destinationSecretName(rec.id), secretAccessKey);
    } else {
      const abs = resolve(config.path);
      const parent = await stat(join(abs, '..')).catch(() => undefined);
      if (!parent?.isDirectory()) {
        throw new StrataError('not-found', `the parent of ${abs} does not exist`, 'mount the disk or share first');
      }
      mkdirSync(abs, { recursive: true });
      config = { kind: 'local', path: abs };
    }
    // The layout is chosen when a destination is added and never changes with its settings.
    if (rec.config.layout) config = { ...config, layout: rec.config.layout };
    this.vaultKeys.delete(rec.id);
    return this.catalog.updateDestination(name, config);
  }

  /** A record with a secret never exists without it: when the secret cannot be saved, the record goes. */
  private async saveSecretOrUndo(secretName: string, value: string, undo: () => void): Promise<void> {
    try {
      await (await this.secrets()).set(secretName, value);
    } catch (err) {
      undo();
      throw err;
    }
  }

  async removeDestination(name: string): Promise<void> {
    const rec = this.catalog.destination(name);
    if (rec.config.kind === 's3') await (await this.secrets()).delete(destinationSecretName(rec.id));
    if (layoutOf(rec.config) === 'vault') {
      await (await this.secrets()).delete(vaultSecretName(rec.id));
      await (await this.secrets()).delete(vaultKeyCacheName(rec.id));
      await this.vaultIndexCache(rec.id).clear();
      this.vaultKeys.delete(rec.id);
    }
    this.catalog.removeDestination(name);
  }

  /** This machine's copy of a vault's index files (vault/index-cache.ts). */
  private vaultIndexCache(destId: string): IndexCache {
    return new IndexCache(join(this.home, 'cache', 'vault-index', destId));
  }

  /** An S3-compatible bucket as a source: its secret is stored first, so the source never exists without it. */
  async addBucketSource(
    name: string,
    config: Omit<BucketSourceConfig, 'kind'>,
    secretAccessKey: string,
    id?: string,
  ): Promise<SourceRecord> {
    const full: BucketSourceConfig = { kind: 'bucket', ...config };
    full.prefix = resolveS3Settings({ ...full, kind: 's3' }).prefix;
    const rec = this.catalog.addSource(name, full, id);
    await this.saveSecretOrUndo(sourceSecretName(rec.id), secretAccessKey, () => this.catalog.removeSource(name));
    return rec;
  }

  /**
   * A command whose output is backed up as one file. `env` holds the values of its environment
   * variables (secrets, stored first, so the source never exists without them).
   */
  async addCommandSource(
    name: string,
    config: Omit<CommandSourceConfig, 'kind' | 'envNames'>,
    env: Record<string, string> = {},
    id?: string,
  ): Promise<SourceRecord> {
    checkCommandSource(config, env);
    const envNames = Object.keys(env).sort();
    const full: CommandSourceConfig = { kind: 'command', ...config, ...(envNames.length ? { envNames } : {}) };
    const rec = this.catalog.addSource(name, full, id);
    if (envNames.length) {
      const secret = JSON.stringify(env);
      await this.saveSecretOrUndo(sourceSecretName(rec.id, 'command-env'), secret, () =>
        this.catalog.removeSource(name),
      );
    }
    return rec;
  }

  async removeSource(name: string): Promise<void> {
    const rec = this.catalog.source(name);
    await this.forgetOpened(rec.id);
    if (rec.config.kind === 'bucket') await (await this.secrets()).delete(sourceSecretName(rec.id));
    if (rec.config.kind === 'command' && rec.config.envNames?.length) {
      await (await this.secrets()).delete(sourceSecretName(rec.id, 'command-env'));
    }
    // Google forgets Strata's access too (best effort: the source goes either way).
    if (rec.config.kind === 'gdrive') {
      const { disconnectDrive } = await import('./sources/gdrive/drive-connect.js');
      await disconnectDrive(this.driveCtx(), name, { forget: true }).catch(() => undefined);
    }
    this.catalog.removeSource(name);
  }

  private async forgetOpened(sourceId: string): Promise<void> {
    await this.openedSources
      .get(sourceId)
      ?.then((o) => o.close())
      .catch(() => undefined);
    this.openedSources.delete(sourceId);
  }

  private driveCtx(): DriveConnectCtx {
    return { catalog: this.catalog, db: this.db, secrets: () => this.secrets(), env: this.opts.env };
  }

  /** Starts a Google sign-in: a new Drive source once the browser comes back, or a reconnect. */
  async connectDrive(opts: DriveConnectOptions): Promise<DriveConnectAttempt> {
    const { beginDriveConnect } = await import('./sources/gdrive/drive-connect.js');
    const attempt = await beginDriveConnect(this.driveCtx(), opts);
    const done = attempt.done.then(async (rec) => {
      await this.forgetOpened(rec.id);
      return rec;
    });
    done.catch(() => undefined);
    return { ...attempt, done };
  }

  /** Revokes Strata's access at Google and forgets the tokens; the source and its snapshots stay. */
  async disconnectDrive(name: string): Promise<{ revoked: boolean }> {
    const rec = this.catalog.source(name);
    await this.forgetOpened(rec.id);
    const { disconnectDrive } = await import('./sources/gdrive/drive-connect.js');
    return disconnectDrive(this.driveCtx(), name);
  }

  async setDriveOptions(
    name: string,
    opts: { exports?: DriveExportFormats | undefined; followShortcuts?: boolean | undefined },
  ): Promise<SourceRecord> {
    const { setDriveOptions } = await import('./sources/gdrive/drive-connect.js');
    const rec = setDriveOptions(this.catalog, name, opts);
    await this.forgetOpened(rec.id);
    return rec;
  }

  openSource(src: SourceRecord): Promise<OpenedSource> {
    return openSource(
      src,
      () => this.secrets(),
      this.db,
      this.opts.env,
      () => this.policies.forSource(src.id),
    );
  }

  /** How the tree reads a source's folders; a bucket's connection is kept for the next page. */
  async folderReader(src: SourceRecord): Promise<FolderReader> {
    if (src.config.kind === 'local') return localFolderReader(src.config.path, src.name);
    let opened = this.openedSources.get(src.id);
    if (!opened) {
      opened = this.openSource(src);
      this.openedSources.set(src.id, opened);
      opened.catch(() => this.openedSources.delete(src.id));
    }
    return (await opened).folders;
  }

  /** A vault destination opens as its VaultDestination view; its key is derived once per process. */
  async openDestination(rec: DestinationRecord): Promise<Destination> {
    const raw = await openDestination(rec.name, rec.id, { ...rec.config, layout: undefined }, () => this.secrets());
    if (layoutOf(rec.config) !== 'vault') return raw;
    let keyed = this.vaultKeys.get(rec.id);
    if (!keyed) {
      keyed = (async () => {
        const secrets = await this.secrets();
        const passphrase = async (): Promise<string> => {
          const saved = await secrets.get(vaultSecretName(rec.id));
          if (!saved) {
            throw new StrataError(
              'auth',
              `the passphrase of the vault '${rec.name}' is not saved here`,
              `set it again with 'strata dest passwd ${rec.name}', or remove and add the destination`,
            );
          }
          return saved;
        };
        const v = await openVault(raw, passphrase, this.opts.vaultKdf ?? {}, await this.vaultKeyCache(rec.id));
        return { codec: v.codec, chunking: v.chunking };
      })();
      this.vaultKeys.set(rec.id, keyed);
      keyed.catch(() => this.vaultKeys.delete(rec.id));
    }
    try {
      const { codec, chunking } = await keyed;
      return new VaultDestination(raw, codec, chunking, this.vaultIndexCache(rec.id), this.tmpDir);
    } catch (err) {
      await raw.close();
      throw err;
    }
  }

  /** How a restore's worker thread opens the store below a vault (restore-workers.ts). */
  private async workerDestination(rec: DestinationRecord) {
    const config = { ...rec.config, layout: undefined };
    const secret = config.kind === 's3' ? await (await this.secrets()).get(destinationSecretName(rec.id)) : undefined;
    return { name: rec.name, id: rec.id, config, secret };
  }

  /** A connection test's last step for a draft: the layout agrees with what is there, the passphrase opens it. */
  probeRepository(dest: Destination, layout: 'mirror' | 'vault', passphrase: string | undefined) {
    return probeRepository(dest, layout, passphrase, this.opts.vaultKdf ?? {});
  }

  async testDestination(name: string): Promise<ProbeStep[]> {
    const rec = this.catalog.destination(name);
    const dest = await this.openDestination(rec).catch((err: unknown) => {
      if (rec.config.kind === 'local') return new LocalDestination(rec.config.path);
      throw err;
    });
    try {
      return await dest.probe();
    } finally {
      await dest.close();
    }
  }

  /** `exports` (Drive sources): undefined keeps the folder's export formats, null inherits again. */
  /**
   * A command run before or after the source's backup (see backup/hooks.ts). `folder` names the
   * policy it belongs to; the hook runs for the whole source's backup.
   */
  setHook(
    source: string,
    folder: string,
    phase: HookPhase,
    command: string,
    timeoutMs = DEFAULT_HOOK_TIMEOUT_MS,
  ): Hook {
    const src = this.catalog.source(source);
    if (!command.trim()) {
      throw new StrataError(
        'usage',
        `an empty ${phase}-backup hook`,
        `give a command, or remove the hook with 'strata hook remove'`,
      );
    }
    const hook: Hook = { folder: normalizeFolder(folder), phase, command, timeoutMs };
    this.hooks.set(src.id, hook);
    return hook;
  }

  removeHook(source: string, folder: string, phase: HookPhase): boolean {
    return this.hooks.remove(this.catalog.source(source).id, normalizeFolder(folder), phase);
  }

  listHooks(source?: string): (Hook & { source: string })[] {
    const sources = source ? [this.catalog.source(source)] : this.catalog.listSources();
    return sources.flatMap((s) => this.hooks.forSource(s.id).map((h) => ({ source: s.name, ...h })));
  }

  setPolicy(
    source: string,
    folder: string,
    to: string[],
    excludes: string[] = [],
    maxSize?: number,
    exports?: DriveExportFormats | null,
  ): PolicyView {
    const src = this.catalog.source(source);
    const canonical = normalizeFolder(folder);
    const chosen = new Set(to.map((d) => this.catalog.destination(d).id));
    if (exports !== undefined) this.assertDrive(source, src);
    // "--to A,B" means exactly these: every other destination is explicitly left out here.
    const destinations: Record<string, boolean> = {};
    for (const d of this.catalog.listDestinations()) destinations[d.id] = chosen.has(d.id);
    this.db.transaction(() => {
      this.policies.set(src.id, { folder: canonical, destinations, excludes, maxSize });
      if (exports !== undefined) this.policies.setExports(src.id, canonical, exports ?? undefined);
    })();
    return this.listPolicies(source).find((p) => p.folder === canonical)!;
  }

  private assertDrive(name: string, src: SourceRecord): void {
    if (src.config.kind !== 'gdrive') {
      throw new StrataError(
        'usage',
        `'${name}' is a ${src.config.kind} source: only Google Drive sources export Docs`,
        'leave out --export',
      );
    }
  }

  /** Ticks (or unticks) one destination at a folder or file; everything below follows. */
  selectPolicy(source: string, path: string, dest: string, include: boolean): PolicyView[] {
    const src = this.catalog.source(source);
    const d = this.catalog.destination(dest);
    const canonical = normalizeFolder(path);
    const inherited = inheritedInclude(this.policies.forSource(src.id), canonical, d.id);
    this.policies.select(src.id, canonical, d.id, include, inherited);
    return this.listPolicies(source);
  }

  /** Exclusion patterns (gitignore syntax) and size cap of a folder, keeping its destination choices. */
  setPolicyRules(source: string, folder: string, excludes: string[], maxSize: number | undefined): PolicyView[] {
    const src = this.catalog.source(source);
    const canonical = normalizeFolder(folder);
    const clean = excludes.map((e) => e.trimEnd()).filter((e) => e.trim() !== '');
    // Compiling checks the patterns and the cap before anything is stored.
    compilePolicies([{ folder: canonical, destinations: {}, excludes: clean, maxSize }]);
    this.policies.setRules(src.id, canonical, clean, maxSize);
    return this.listPolicies(source);
  }

  /** How Google Docs below a folder of a Drive source are exported (undefined: inherit again). */
  setPolicyExports(source: string, folder: string, exports: DriveExportFormats | undefined): PolicyView[] {
    const src = this.catalog.source(source);
    this.assertDrive(source, src);
    this.policies.setExports(src.id, normalizeFolder(folder), exports);
    return this.listPolicies(source);
  }

  removePolicy(source: string, folder: string): boolean {
    return this.policies.remove(this.catalog.source(source).id, normalizeFolder(folder));
  }

  listPolicies(source?: string): PolicyView[] {
    const sources = source ? [this.catalog.source(source)] : this.catalog.listSources();
    const names = new Map(this.catalog.listDestinations().map((d) => [d.id, d.name]));
    return sources.flatMap((s) =>
      this.policies.forSource(s.id).map((p) => ({
        source: s.name,
        folder: p.folder,
        destinations: Object.entries(p.destinations)
          .filter(([id]) => names.has(id))
          .map(([id, include]) => ({ name: names.get(id)!, include })),
        excludes: p.excludes,
        ...(p.exports ? { exports: p.exports } : {}),
        maxSize: p.maxSize,
      })),
    );
  }

  /** A backup run; afterwards what each destination stores is brought up to date for its cost estimate. */
  async backup(opts: BackupOptions = {}): Promise<BackupOutcome> {
    const outcome = await runBackup(
      {
        catalog: this.catalog,
        policies: this.policies,
        index: this.index,
        runs: this.runs,
        snapshots: this.snapshots,
        openDestination: (rec) => this.openDestination(rec),
        openSource: (src) => this.openSource(src),
        chunkLists: this.chunkLists,
        hooks: this.hooks,
        tmpDir: this.tmpDir,
        lockDir: this.home,
        version: STRATA_VERSION,
        now: () => new Date(this.now()),
      },
      opts,
    );
    await this.costs.afterBackup(outcome.results, (destId, message) =>
      this.runs.log(outcome.runId, 'warn', message, { destId }),
    );
    return outcome;
  }

  /** Snapshots as the destination holds them (the cache only saves re-reading known manifests). */
  /** Verifies a destination (quick, or deep with a rotating sample) and keeps the report. */
  async verify(destName: string, opts: VerifyRunOptions = {}): Promise<VerifyRecord> {
    this.catalog.destination(destName);
    // Not while a backup rewrites files/ and history/: what it checks would move under it.
    const lock = acquireRunLock(this.home);
    try {
      this.verifications.markInterrupted();
      return await runVerify(this.verifyDeps(), destName, opts);
    } finally {
      lock.release();
    }
  }

  /** Copies what a verification found missing or damaged on `destName` from `fromName`. */
  async repairDestination(destName: string, fromName: string, reportId: number): Promise<RepairOutcome> {
    const lock = acquireRunLock(this.home);
    try {
      return await repairFromReport(this.verifyDeps(), destName, fromName, reportId);
    } finally {
      lock.release();
    }
  }

  /** The latest finished verification, as the alert rules read it (a cancelled one says nothing). */
  private latestVerification(destId: string): { ok: boolean; at: number; message: string } | null {
    const r = this.verifications.latest(destId);
    if (!r || r.status === 'cancelled') return null;
    const message =
      r.status === 'error'
        ? (r.error ?? 'it could not run')
        : `${r.problems.length} stored version(s) missing or damaged (first: ${r.problems[0]?.path ?? '?'})`;
    return { ok: r.status === 'ok', at: r.finishedAt ?? r.startedAt, message };
  }

  private verifyDeps(): VerifyDeps {
    return {
      store: this.verifications,
      destinations: () => this.catalog.listDestinations(),
      destination: (name) => this.catalog.destination(name),
      openDestination: (rec) => this.openDestination(rec),
      listSnapshots: (name) => this.listSnapshots(name),
      tmpDir: this.tmpDir,
      now: () => this.now(),
    };
  }

  async listSnapshots(destName: string): Promise<SnapshotInfo[]> {
    const rec = this.catalog.destination(destName);
    const dest = await this.openDestination(rec);
    try {
      // A destination that has not been backed up to yet simply holds no snapshots.
      if (!(await readRepoConfig(dest))) return [];
      const cached = this.snapshots.list(rec.id);
      const known = new Map(cached.map((c) => [c.snapshotId, c]));
      const list = await listSnapshots(dest, this.tmpDir, known);
      this.snapshots.replaceAll(
        rec.id,
        list
          .filter((s) => !s.damaged)
          .map((s) => ({
            destId: rec.id,
            snapshotId: s.snapshotId,
            sourceId: s.sourceId,
            sourceName: s.sourceName,
            time: s.time.getTime(),
            files: s.files,
            bytes: s.bytes,
            errors: s.errors,
            manifestKey: s.manifestKey,
          })),
      );
      return list;
    } finally {
      await dest.close();
    }
  }

  /** A malformed cron expression is refused here, with an example of the right form. */
  setSchedule(destName: string, spec: ScheduleSpec, now = this.now()): void {
    const parsed = ScheduleSpec.parse(spec);
    if (parsed.kind === 'cron') validateCron(parsed.expression);
    this.plans.setSchedule(this.catalog.destination(destName).id, parsed, now);
  }

  setRetention(destName: string, policy: RetentionPolicy, now = this.now()): void {
    this.plans.setRetention(this.catalog.destination(destName).id, RetentionPolicy.parse(policy), now);
  }

  /** Hours without a successful backup before the "no recent backup" alert; null for the default. */
  setStaleAfter(destName: string, hours: number | null, now = this.now()): void {
    this.plans.setStaleAfter(this.catalog.destination(destName).id, hours === null ? null : hours * 3600_000, now);
  }

  /** A destination's plan with its next three runs, as the API and the CLI show it. */
  planView(destName: string): PlanView {
    const rec = this.catalog.destination(destName);
    const plan = this.plans.get(rec.id);
    const paused = this.settings.get().schedulesPaused;
    return {
      destination: rec.name,
      schedule: plan.schedule,
      scheduleSummary: describeSchedule(plan.schedule),
      nextRuns: paused ? [] : nextRuns(plan.schedule, new Date(this.now()), this.timeZone, 3).map((d) => d.getTime()),
      timeZone: this.timeZone,
      retention: plan.retention,
      retentionSummary: describeRetention(plan.retention),
      staleAfterHours: Math.round(plan.staleAfterMs / 3600_000),
      verify: plan.verify,
      verifySummary: describeVerifyPlan(plan.verify),
    };
  }

  setVerifyPlan(destName: string, plan: VerifyPlan, now = this.now()): void {
    this.plans.setVerify(this.catalog.destination(destName).id, VerifyPlan.parse(plan), now);
  }

  /** Whether a destination's own verification schedule asks for one now. */
  verifyDue(destName: string, now = this.now()): boolean {
    const rec = this.catalog.destination(destName);
    const last = this.verifications.latest(rec.id);
    const lastAt = last && last.status !== 'cancelled' ? (last.finishedAt ?? last.startedAt) : null;
    return verifyDue(this.plans.get(rec.id).verify, lastAt, now);
  }

  async prune(destName: string, opts: PruneOptions = {}): Promise<PruneReport> {
    const report = await pruneDestination(
      {
        catalog: this.catalog,
        plans: this.plans,
        runs: this.runs,
        snapshots: this.snapshots,
        tmpDir: this.tmpDir,
        timeZone: this.timeZone,
        openDestination: (rec) => this.openDestination(rec),
        listSnapshots: (name) => this.listSnapshots(name),
      },
      destName,
      { graceMs: this.opts.pruneGraceMs, now: this.now(), ...opts },
    );
    const o = report.outcome;
    if (o) {
      this.costs.afterPrune(this.catalog.destination(destName).id, {
        bytes: o.bytesFreed,
        objects: o.objectsDeleted + o.snapshotsRemoved,
      });
    }
    return report;
  }

  health(destId: string, now = this.now()): HealthFigures {
    return destinationHealth(this.db, destId, now);
  }

  /** Re-evaluates every destination's alerts; answers what opened and closed. */
  checkAlerts(now = this.now()): { opened: AlertRecord[]; closed: AlertRecord[] } {
    const opened: AlertRecord[] = [];
    const closed: AlertRecord[] = [];
    const ticked = new Set(
      (
        this.db.prepare('SELECT DISTINCT dest_id FROM policy_destinations WHERE include = 1').all() as {
          dest_id: string;
        }[]
      ).map((r) => r.dest_id),
    );
    for (const d of this.catalog.listDestinations()) {
      const plan = this.plans.get(d.id);
      const conditions = alertConditions(this.health(d.id, now), {
        now,
        inUse: ticked.has(d.id) || plan.schedule.kind !== 'manual',
        staleAfterMs: plan.staleAfterMs,
        createdAt: d.createdAt,
        verification: this.latestVerification(d.id),
        ...(this.opts.growthRule ? { growth: this.opts.growthRule } : {}),
      });
      const r = this.alerts.reconcile(d.id, conditions, now);
      opened.push(...r.opened);
      closed.push(...r.closed);
    }
    return { opened, closed };
  }

  async restore(opts: {
    dest: string;
    snapshot: string;
    source?: string | undefined;
    to: string;
    filter?: RestoreFilter;
    conflict?: ConflictRule;
    onProgress?: (p: RestoreProgress) => void;
    signal?: AbortSignal | undefined;
  }): Promise<RestoreReport> {
    const snapshot = await this.snapshotFor(opts.dest, opts.snapshot, opts.source);
    const rec = this.catalog.destination(opts.dest);
    const dest = await this.openDestination(rec);
    try {
      return await restoreSnapshot({
        dest,
        workers: layoutOf(rec.config) === 'vault' ? await this.workerDestination(rec) : undefined,
        snapshot,
        to: resolve(opts.to),
        filter: opts.filter,
        conflict: opts.conflict,
        tmpDir: this.tmpDir,
        onProgress: opts.onProgress,
        signal: opts.signal,
      });
    } finally {
      await dest.close();
    }
  }

  /** Restores into a bucket: a configured S3 destination, or a bucket source (back into the primary). */
  async restoreToBucket(opts: {
    dest: string;
    snapshot: string;
    source?: string | undefined;
    /** A bucket destination or bucket source by name, or a bucket's settings and secret (used once, never saved). */
    toBucket: string | BucketSourceDraft;
    prefix?: string | undefined;
    filter?: RestoreFilter;
    conflict?: 'skip' | 'overwrite';
    onProgress?: (p: RestoreProgress) => void;
    signal?: AbortSignal | undefined;
  }): Promise<RestoreReport> {
    const snapshot = await this.snapshotFor(opts.dest, opts.snapshot, opts.source);
    const target = await this.openBucket(opts.toBucket);
    const dest = await this.openDestination(this.catalog.destination(opts.dest));
    try {
      return await restoreToBucket({
        dest,
        snapshot,
        target,
        prefix: opts.prefix,
        filter: opts.filter,
        conflict: opts.conflict,
        tmpDir: this.tmpDir,
        onProgress: opts.onProgress,
        signal: opts.signal,
      });
    } finally {
      await dest.close();
      await target.close();
    }
  }

  /** The snapshot a restore asked for ('latest', an id or its prefix), read from the destination. */
  async snapshotFor(destName: string, wanted: string, source: string | undefined): Promise<SnapshotInfo> {
    const list = (await this.listSnapshots(destName)).filter((s) => !s.damaged || s.snapshotId === wanted);
    return pickSnapshot(list, wanted, source);
  }

  /**
   * A bucket to write into, by the name of an S3 destination or of a bucket source, or by its
   * settings and secret (kept in memory only, for as long as the bucket is open).
   */
  async openBucket(name: string | BucketSourceDraft): Promise<Destination> {
    if (typeof name !== 'string') return openBucketFromSettings(name);
    const d = this.catalog.listDestinations().find((x) => x.name === name);
    if (d) {
      if (d.config.kind !== 's3') {
        throw new StrataError(
          'usage',
          `'${name}' is a local folder, not a bucket`,
          'restore into a folder with --to DIR',
        );
      }
      return this.openDestination(d);
    }
    const s = this.catalog.listSources().find((x) => x.name === name);
    if (s?.config.kind === 'bucket') return openBucketOf(s, () => this.secrets());
    throw new StrataError(
      'not-found',
      `no bucket destination or bucket source named '${name}'`,
      "add the bucket with 'strata dest add s3' (or name a bucket source)",
    );
  }

  status(): {
    destinations: DestinationStatus[];
    runs: RunRecord[];
    sources: SourceRecord[];
    /** Warnings and errors of the latest run: the files that failed and why. */
    problems: { level: string; path: string | null; message: string }[];
  } {
    this.index.flush();
    const counts = this.db.prepare(
      `SELECT s.state AS state, COUNT(*) AS n, COALESCE(SUM(f.size), 0) AS bytes
       FROM file_status s JOIN files f ON f.id = s.file_id WHERE s.dest_id = ? GROUP BY s.state`,
    );
    const runs = this.runs.recentRuns(10);
    return {
      sources: this.catalog.listSources(),
      runs,
      problems: runs[0] ? this.runs.logOf(runs[0].id, 'warn-or-error', 50) : [],
      destinations: this.catalog.listDestinations().map((d) => {
        const byState = new Map(
          (counts.all(d.id) as { state: string; n: number; bytes: number }[]).map((r) => [r.state, r]),
        );
        return {
          name: d.name,
          kind: d.config.kind === 's3' ? `s3 (${d.config.provider})` : 'local',
          label: labelOf(d.config),
          health: healthSummary(this.health(d.id)),
          files: byState.get('synced')?.n ?? 0,
          bytes: byState.get('synced')?.bytes ?? 0,
          failedFiles: byState.get('failed')?.n ?? 0,
          pendingFiles: byState.get('pending')?.n ?? 0,
        };
      }),
    };
  }

  close(): void {
    for (const o of this.openedSources.values()) void o.then((x) => x.close()).catch(() => undefined);
    this.openedSources.clear();
    this.index.flush();
    this.db.close();
    rmSync(this.tmpDir, { recursive: true, force: true });
  }
}

/** A temp folder of this process; those of processes that died are removed. */
function makeTmpDir(base: string): string {
  mkdirSync(base, { recursive: true, mode: 0o700 });
  for (const name of readdirSync(base)) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid || !processAlive(pid)) {
      rmSync(join(base, name), { recursive: true, force: true });
    }
  }
  const mine = join(base, String(process.pid));
  mkdirSync(mine, { recursive: true, mode: 0o700 });
  return mine;
}

/** The short health record `strata status --json` has always printed, from the full figures. */
function healthSummary(h: HealthFigures): DestinationHealth {
  return {
    destId: h.destId,
    lastSuccessAt: h.lastSuccessAt,
    lastRunAt: h.lastRunAt,
    lastStatus: h.lastStatus,
    lastError: h.lastError,
    runs: h.recentRuns,
    succeeded: h.recentSucceeded,
  };
}

export function labelOf(c: DestinationConfig): string {
  return c.kind === 'local' ? c.path : `${c.bucket}${c.prefix ? `/${c.prefix}` : ''}`;
}

function pickSnapshot(list: SnapshotInfo[], wanted: string, source?: string): SnapshotInfo {
  const bySource = source ? list.filter((s) => s.sourceName === source || s.sourceId === source) : list;
  if (source && !bySource.length) {
    const names = [...new Set(list.map((s) => s.sourceName))];
    throw new StrataError(
      'not-found',
      `no snapshots of source '${source}' on this destination`,
      names.length ? `it holds: ${names.join(', ')}` : 'back it up first',
    );
  }
  if (wanted !== 'latest') {
    const hit = list.find((s) => s.snapshotId === wanted || s.snapshotId.startsWith(wanted));
    if (!hit)
      throw new StrataError(
        'not-found',
        `no snapshot '${wanted}' on this destination`,
        "list them with 'strata snapshots'",
      );
    return hit;
  }
  const sources = [...new Set(bySource.map((s) => s.sourceName))];
  if (sources.length > 1) {
    throw new StrataError(
      'usage',
      `this destination holds snapshots of several sources (${sources.join(', ')})`,
      'choose one with --source',
    );
  }
  const latest = bySource.filter((s) => !s.damaged).at(-1);
  if (!latest) throw new StrataError('not-found', 'this destination holds no snapshots yet', 'run a backup first');
  return latest;
}
