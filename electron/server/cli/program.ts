import { Command, CommanderError } from 'commander';
import { Engine } from '../../engine/engine.js';
import { sourceLabel } from '../../engine/store/catalog.js';
import type { SnapshotInfo } from '../../engine/repository/snapshot-list.js';
import { StrataError, describeError } from '../../../shared/errors.js';
import { promptHidden } from '../../engine/secrets/prompt-hidden.js';
import { STRATA_VERSION } from '../../engine/version.js';
import { EXIT_ALERT, EXIT_FAILED, EXIT_OK, EXIT_USAGE, exitCodeOf } from './exit-codes.js';
import { addPlanCommands } from './plan-commands.js';
import { addRestoreCommand } from './restore-command.js';
import { addCostCommands } from './cost-commands.js';
import { addRecoveryCommands } from './recovery-commands.js';
import { addDriveCommands, parseExports } from './drive-commands.js';
import { addCommandSourceCommand } from './command-source-commands.js';
import { addHookCommands } from './hook-commands.js';
import { addVerifyCommands } from './verify-commands.js';
import { s3Settings, withS3Options, type S3Flags } from './s3-options.js';
import { announceRun, reconcileAlerts } from '../../engine/health/notify.js';
import { describeSchedule } from '../../../shared/schedule.js';
import { describeRetention } from '../../../shared/retention.js';
import { nextRun } from '../../engine/schedule/next-run.js';
import { formatBytes, formatDuration, formatTime, table } from './format.js';
import { parseList, parseRate, parseSize } from './parse.js';
import { progressView } from './progress-view.js';
import { readSecret } from './secret-input.js';

type Out = { json: boolean };

/** Writes a result: JSON (one object per line) with --json, else the human text. */
const LAYOUT_HELP =
  "'mirror' (plain files, browsable) or 'vault' (deduplicated, compressed, encrypted; asks for a passphrase: STRATA_REPO_PASSPHRASE or a prompt)";

/** --layout vault asks for the vault's passphrase (it creates the vault, or opens the one already there). */
async function vaultOption(layout: string, name: string): Promise<{ passphrase: string } | undefined> {
  if (layout === 'mirror') return undefined;
  if (layout !== 'vault') {
    throw new StrataError(
      'usage',
      `'${layout}' is not a layout`,
      'use --layout mirror (the default) or --layout vault',
    );
  }
  return { passphrase: await readSecret('STRATA_REPO_PASSPHRASE', `Passphrase for the vault '${name}': `) };
}

function layoutWords(vault: { passphrase: string } | undefined): string {
  return vault ? 'vault' : 'mirror';
}

function emit(out: Out, value: unknown, human: () => string): void {
  if (out.json) process.stdout.write(JSON.stringify({ type: 'result', ...(value as object) }) + '\n');
  else process.stdout.write(human() + '\n');
}

/** Builds the `strata` command line. `run` returns the exit code instead of exiting, for tests. */
export function buildProgram(setExit: (code: number) => void): Command {
  let engine: Engine | undefined;
  const open = (): Engine => (engine ??= Engine.open({ prompt: (q) => promptHidden(q) }));
  const program = new Command('strata')
    .description('Strata: back up folders to S3-compatible buckets and local disks')
    .version(STRATA_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    // Lets a command with subcommands keep options of its own (`cost --dest` vs `cost compare --dest`).
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  program.hook('postAction', () => engine?.close());

  program
    .command('init')
    .description('create the data folder and status database (STRATA_HOME chooses where)')
    .action(() => {
      const e = open();
      console.log(`Strata ${STRATA_VERSION} is ready.\n  data folder: ${e.home}\n  database:    ${e.home}/strata.db`);
      console.log(
        "Next: 'strata source add local NAME PATH', 'strata dest add local NAME DIR', 'strata policy set NAME / --to DEST'.",
      );
    });

  const source = program
    .command('source')
    .description('what to back up: local folders, buckets, Google Drives, commands');
  const sourceAdd = source.command('add').description('add a source');
  sourceAdd
    .command('local')
    .argument('<name>', 'a short name, e.g. documents')
    .argument('<path>', 'the folder to back up')
    .option('--id <id>', "continue an existing snapshot series (its sourceId, from 'strata snapshots --json')")
    .action(async (name: string, path: string, o: { id?: string }) => {
      const rec = await open().addLocalSource(name, path, o.id);
      console.log(`Added source '${rec.name}' (${sourceLabel(rec.config)}).`);
    });
  withS3Options(
    sourceAdd
      .command('bucket')
      .description('an S3-compatible bucket (e.g. an R2 or S3 primary), read as a folder tree by "/"')
      .argument('<name>', 'a short name, e.g. media-primary'),
    'only this folder of the bucket',
  )
    .option('--id <id>', "continue an existing snapshot series (its sourceId, from 'strata snapshots --json')")
    .action(async (name: string, o: S3Flags & { id?: string }) => {
      const secret = await readSecret('STRATA_SECRET_ACCESS_KEY', `Secret access key for ${o.accessKeyId}: `);
      const rec = await open().addBucketSource(name, s3Settings(o), secret, o.id);
      console.log(`Added source '${rec.name}' (bucket ${sourceLabel(rec.config)}).`);
    });
  addDriveCommands(source, sourceAdd, open);
  addCommandSourceCommand(sourceAdd, open);
  source
    .command('list')
    .option('--json', 'print JSON')
    .action((o: Out) => {
      const list = open().catalog.listSources();
      emit(o, { sources: list }, () =>
        list.length
          ? table([
              ['NAME', 'KIND', 'WHERE'],
              ...list.map((s) => [
                s.name,
                s.config.kind,
                sourceLabel(s.config) + (s.config.kind === 'gdrive' && s.config.signedOut ? ' (disconnected)' : ''),
              ]),
            ])
          : 'No sources yet.',
      );
    });
  source
    .command('remove')
    .argument('<name>')
    .action(async (name: string) => {
      await open().removeSource(name);
      console.log(`Removed source '${name}' (its snapshots stay on the destinations).`);
    });

  const dest = program.command('dest').description('where backups go');
  const destAdd = dest.command('add').description('add a destination');
  destAdd
    .command('local')
    .argument('<name>')
    .argument('<dir>', 'a folder on a local disk or a mounted share')
    .option('--layout <layout>', LAYOUT_HELP, 'mirror')
    .action(async (name: string, dir: string, o: { layout: string }) => {
      const vault = await vaultOption(o.layout, name);
      const rec = await open().addLocalDestination(name, dir, vault);
      console.log(
        `Added ${layoutWords(vault)} destination '${rec.name}' (${dir}). Check it with 'strata dest test ${rec.name}'.`,
      );
    });
  withS3Options(destAdd.command('s3').argument('<name>'), 'folder inside the bucket')
    .option('--storage-class <class>', 'storage class for new objects')
    .option('--layout <layout>', LAYOUT_HELP, 'mirror')
    .action(async (name: string, o: S3Flags & { storageClass?: string; layout: string }) => {
      const secret = await readSecret('STRATA_SECRET_ACCESS_KEY', `Secret access key for ${o.accessKeyId}: `);
      const vault = await vaultOption(o.layout, name);
      const rec = await open().addS3Destination(
        name,
        { ...s3Settings(o), storageClass: o.storageClass },
        secret,
        vault,
      );
      console.log(
        `Added ${layoutWords(vault)} destination '${rec.name}' (${o.bucket}${o.prefix ? '/' + o.prefix : ''}). Check it with 'strata dest test ${rec.name}'.`,
      );
    });
  dest
    .command('passwd')
    .description("change a vault's passphrase (its key is re-wrapped; no data is rewritten)")
    .argument('<name>')
    .action(async (name: string) => {
      const next = await readSecret('STRATA_NEW_REPO_PASSPHRASE', `New passphrase for the vault '${name}': `);
      await open().changeVaultPassphrase(name, next);
      console.log(`The vault '${name}' now opens with the new passphrase; other machines using it need it too.`);
    });
  dest
    .command('list')
    .option('--json', 'print JSON')
    .action((o: Out) => {
      const list = open().catalog.listDestinations();
      emit(o, { destinations: list }, () =>
        list.length
          ? table([
              ['NAME', 'KIND', 'LAYOUT', 'WHERE'],
              ...list.map((d) => [
                d.name,
                d.config.kind === 's3' ? `s3/${d.config.provider}` : 'local',
                d.config.layout ?? 'mirror',
                d.config.kind === 's3' ? `${d.config.bucket}/${d.config.prefix}` : d.config.path,
              ]),
            ])
          : 'No destinations yet.',
      );
    });
  dest
    .command('test')
    .description('write, read back, list and delete a probe object')
    .argument('<name>')
    .option('--json', 'print JSON')
    .action(async (name: string, o: Out) => {
      const steps = await open().testDestination(name);
      const failed = steps.find((s) => !s.ok);
      emit(o, { ok: !failed, steps }, () =>
        [
          ...steps.map(
            (s) =>
              `${s.ok ? 'ok  ' : 'FAIL'} ${s.step.padEnd(6)} ${String(s.ms).padStart(5)} ms${s.error ? `  ${s.error}` : ''}`,
          ),
          failed ? `Destination '${name}' failed at the ${failed.step} step.` : `Destination '${name}' works.`,
        ].join('\n'),
      );
      setExit(failed ? EXIT_FAILED : EXIT_OK);
    });
  dest
    .command('remove')
    .argument('<name>')
    .action(async (name: string) => {
      await open().removeDestination(name);
      console.log(`Removed destination '${name}' (its stored backups were not touched).`);
    });

  addVerifyCommands(program, open, setExit);

  const policy = program.command('policy').description('what goes where');
  policy
    .command('set')
    .description(
      'send FOLDER (relative to the source root, / is the root) and all below it to exactly these destinations',
    )
    .argument('<source>')
    .argument('<folder>')
    .requiredOption('--to <dests>', "comma-separated destination names, or 'none' to keep the folder out")
    .option(
      '--exclude <pattern>',
      'gitignore-style pattern, relative to FOLDER (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--max-size <size>', 'leave out files larger than this (e.g. 2G)')
    .option(
      '--export <kind=format,...>',
      "Google Drive: how Docs below FOLDER are saved, e.g. document=pdf ('default' inherits again)",
    )
    .action((src: string, folder: string, o: { to: string; exclude: string[]; maxSize?: string; export?: string }) => {
      const to = o.to === 'none' ? [] : parseList(o.to);
      const exports = o.export === undefined ? undefined : o.export === 'default' ? null : parseExports(o.export);
      const maxSize = o.maxSize ? parseSize(o.maxSize) : undefined;
      const view = open().setPolicy(src, folder, to, o.exclude, maxSize, exports);
      console.log(`Policy for ${src}:/${view.folder}: ${describePolicy(view)}`);
    });
  policy
    .command('remove')
    .argument('<source>')
    .argument('<folder>')
    .action((src: string, folder: string) => {
      const removed = open().removePolicy(src, folder);
      if (!removed)
        throw new StrataError('not-found', `no policy on ${src}:${folder}`, "see them with 'strata policy list'");
      console.log(`Removed the policy on ${src}:${folder}; it now inherits from its parent folder.`);
    });
  policy
    .command('list')
    .argument('[source]')
    .option('--json', 'print JSON')
    .action((src: string | undefined, o: Out) => {
      const list = open().listPolicies(src);
      emit(o, { policies: list }, () =>
        list.length
          ? table([['SOURCE', 'FOLDER', 'RULE'], ...list.map((p) => [p.source, `/${p.folder}`, describePolicy(p)])])
          : 'No policies yet.',
      );
    });

  program
    .command('backup')
    .description('back up now')
    .option('--source <name>', 'only this source')
    .option('--dest <name>', 'only this destination')
    .option('--bwlimit <rate>', "upload at most this much a second, e.g. 4M, or off (default: the app's setting)")
    .option('--json', 'progress and result as JSON lines')
    .action(async (o: { source?: string; dest?: string; bwlimit?: string; json?: boolean }) => {
      const bandwidthLimit = o.bwlimit === undefined ? undefined : parseRate(o.bwlimit);
      const view = progressView(o.json ? 'json' : process.stderr.isTTY ? 'tty' : 'quiet');
      let outcome;
      try {
        // The same limits as the app's runs: a cron-driven backup must not saturate the link either.
        const settings = open().settings.get();
        outcome = await open().backup({
          sources: o.source ? [o.source] : undefined,
          destinations: o.dest ? [o.dest] : undefined,
          concurrency: settings.concurrency,
          bandwidthLimit: bandwidthLimit === undefined ? settings.bandwidthLimit : bandwidthLimit,
          trigger: 'cli',
          onProgress: (p) => view.update(p),
        });
      } finally {
        view.stop();
      }
      emit(
        { json: !!o.json },
        {
          runId: outcome.runId,
          status: outcome.status,
          results: outcome.results,
          problems: outcome.problems,
          workers: outcome.workers,
        },
        () => {
          const lines = outcome.results.map(
            (r) =>
              `${r.status.toUpperCase().padEnd(7)} ${r.sourceName} → ${r.destName}: ${r.filesTotal} files (${formatBytes(r.bytesTotal)}), ` +
              `${r.filesUploaded} sent (${formatBytes(r.bytesUploaded)}` +
              // A vault stores only chunks it did not have: say what actually went to the destination.
              (r.storedBytes !== undefined ? `, ${formatBytes(r.storedBytes)} new in the vault` : '') +
              `), ${r.filesDeleted} removed, ${r.filesFailed} failed` +
              (r.snapshotId ? `; snapshot ${r.snapshotId}` : '') +
              (r.error ? `\n        ${r.error}` : ''),
          );
          for (const p of outcome.problems.slice(0, 20))
            lines.push(`  ! ${p.path}${p.dest ? ` (${p.dest})` : ''}: ${p.error}`);
          if (outcome.problems.length > 20) lines.push(`  … and more; see 'strata status'`);
          lines.push(
            `Backup ${outcome.status === 'ok' ? 'finished' : outcome.status === 'partial' ? 'finished with problems' : 'failed'} (run ${outcome.runId}).`,
          );
          return lines.join('\n');
        },
      );
      // Like the app, a CLI run tells the webhook and re-evaluates alerts (cron-driven setups have no daemon).
      const e = open();
      const { change, sent } = reconcileAlerts(e);
      for (const a of change.opened) process.stderr.write(`strata: ALERT ${a.destination}: ${a.message}\n`);
      await Promise.all([
        sent,
        announceRun(e, {
          runId: outcome.runId,
          trigger: 'cli',
          status: outcome.status,
          error: outcome.results.find((r) => r.error)?.error ?? null,
          destinations: [...new Set(outcome.results.map((r) => r.destName))],
        }),
      ]);
      setExit(exitCodeOf(outcome.status));
    });

  program
    .command('snapshots')
    .description('list snapshots (read from the destinations)')
    .option('--dest <name>', 'only this destination')
    .option('--json', 'print JSON')
    .action(async (o: { dest?: string; json?: boolean }) => {
      const e = open();
      const dests = o.dest ? [e.catalog.destination(o.dest)] : e.catalog.listDestinations();
      const all: (SnapshotInfo & { dest: string })[] = [];
      for (const d of dests) {
        for (const s of await e.listSnapshots(d.name)) all.push({ dest: d.name, ...s });
      }
      emit({ json: !!o.json }, { snapshots: all }, () =>
        all.length
          ? table([
              ['DEST', 'SNAPSHOT', 'SOURCE', 'TIME', 'FILES', 'SIZE', 'NOTE'],
              ...all.map((s) => [
                s.dest,
                s.snapshotId,
                s.sourceName,
                formatTime(s.time),
                String(s.files),
                formatBytes(s.bytes),
                s.damaged ? `DAMAGED: ${s.damaged}` : s.errors ? `${s.errors} file(s) failed` : '',
              ]),
            ])
          : 'No snapshots yet.',
      );
    });

  addRestoreCommand(program, open, emit, setExit);

  addPlanCommands(program, open, emit, setExit);
  addHookCommands(program, open, emit);
  addRecoveryCommands(program, open, emit, setExit);
  addCostCommands(program, open, emit);

  program
    .command('status')
    .description('destinations: next run, last backups, health and open alerts (exit 4 while an alert is open)')
    .option('--json', 'print JSON')
    .action(async (o: Out) => {
      const e = open();
      const st = e.status();
      const { sent } = reconcileAlerts(e);
      await sent;
      const alerts = e.alerts.open();
      const names = new Map(e.catalog.listDestinations().map((d) => [d.id, d.name]));
      const paused = e.settings.get().schedulesPaused;
      const destinations = st.destinations.map((d) => {
        const rec = e.catalog.destination(d.name);
        const plan = e.plans.get(rec.id);
        const h = e.health(rec.id);
        return {
          ...d,
          schedule: describeSchedule(plan.schedule),
          retention: describeRetention(plan.retention),
          nextRunAt: paused ? null : (nextRun(plan.schedule, new Date(e.now()), e.timeZone)?.getTime() ?? null),
          consecutiveFailures: h.consecutiveFailures,
          averageDurationMs: h.averageDurationMs,
          growthPerWeek: h.growthPerWeek,
        };
      });
      const openAlerts = alerts.map((a) => ({
        destination: names.get(a.destId) ?? a.destId,
        kind: a.kind,
        message: a.message,
        openedAt: a.openedAt,
      }));
      emit(o, { ...st, destinations, schedulesPaused: paused, alerts: openAlerts }, () => {
        const lines: string[] = [];
        if (!destinations.length) lines.push('No destinations yet.');
        else {
          lines.push(
            table([
              [
                'DESTINATION',
                'KIND',
                'NEXT RUN',
                'LAST SUCCESS',
                'LAST RUN',
                'FILES',
                'SIZE',
                'FAILED',
                'SUCCESS (30 RUNS)',
              ],
              ...destinations.map((d) => [
                d.name,
                d.kind,
                d.nextRunAt ? formatTime(d.nextRunAt) : paused ? 'paused' : 'manual',
                formatTime(d.health.lastSuccessAt),
                d.health.lastStatus ?? '-',
                String(d.files),
                formatBytes(d.bytes),
                String(d.failedFiles),
                d.health.runs ? `${d.health.succeeded}/${d.health.runs}` : '-',
              ]),
            ]),
          );
          for (const d of destinations) {
            const extra = [d.schedule, d.retention.charAt(0).toLowerCase() + d.retention.slice(1)];
            if (d.growthPerWeek !== null) extra.push(`grows ${formatBytes(Math.max(0, d.growthPerWeek))}/week`);
            if (d.averageDurationMs !== null) {
              const secs = Math.round(d.averageDurationMs / 1000);
              extra.push(secs < 1 ? 'runs take under a second' : `runs take ${formatDuration(secs)} on average`);
            }
            lines.push(`  ${d.name}: ${extra.join('; ')}`);
            if (d.health.lastError && d.health.lastStatus !== 'ok') lines.push(`  ${d.name}: ${d.health.lastError}`);
          }
        }
        if (paused) lines.push('', 'Schedules are paused (strata schedule resume).');
        if (openAlerts.length) {
          lines.push('', 'Open alerts:');
          for (const a of openAlerts)
            lines.push(`  ! ${a.destination}: ${a.message} (since ${formatTime(a.openedAt)})`);
        }
        if (st.problems.length) {
          lines.push('', `Problems in the latest run (#${st.runs[0]!.id}):`);
          for (const p of st.problems.slice(0, 20)) lines.push(`  ! ${p.message}`);
          if (st.problems.length > 20)
            lines.push(`  … ${st.problems.length - 20} more (strata status --json lists 50)`);
        }
        if (st.runs.length) {
          lines.push('', 'Recent runs:');
          lines.push(
            table(st.runs.map((r) => [`#${r.id}`, formatTime(r.startedAt), r.status, r.trigger, r.error ?? ''])),
          );
        }
        return lines.join('\n');
      });
      if (openAlerts.length) setExit(EXIT_ALERT);
    });

  program
    .command('daemon')
    .description('run scheduled backups and retention without the UI (for a NAS or server); Ctrl+C stops')
    .action(async () => {
      const { daemon } = await import('../daemon.js');
      await daemon({ engine: open() });
    });

  program
    .command('serve')
    .description('run the Strata UI and API on 127.0.0.1 (headless host); prints the address to open')
    .option('--port <n>', 'port to listen on (default: a free one)')
    .action(async (o: { port?: string }) => {
      let port: number | undefined;
      if (o.port !== undefined) {
        port = Number(o.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          throw new StrataError('usage', `--port ${o.port} is not a port number`, 'give a number from 1 to 65535');
        }
      }
      const { serve } = await import('../serve.js');
      await serve({ engine: open(), port });
    });

  return program;
}

function describePolicy(p: {
  destinations: { name: string; include: boolean }[];
  excludes: string[];
  maxSize?: number | undefined;
  exports?: Record<string, string> | undefined;
}): string {
  const on = p.destinations.filter((d) => d.include).map((d) => d.name);
  const off = p.destinations.filter((d) => !d.include).map((d) => d.name);
  const parts = [on.length ? `to ${on.join(', ')}` : 'to no destination'];
  if (off.length) parts.push(`not to ${off.join(', ')}`);
  if (p.excludes.length) parts.push(`excluding ${p.excludes.join(' ')}`);
  if (p.maxSize) parts.push(`files up to ${formatBytes(p.maxSize)}`);
  if (p.exports) {
    parts.push(
      `Docs saved as ${Object.entries(p.exports)
        .map(([kind, format]) => `${kind} → ${format}`)
        .join(', ')}`,
    );
  }
  return parts.join('; ');
}

/** Runs the CLI and resolves to its exit code: 0 ok, 1 failed, 2 bad usage, 3 partial. */
export async function runCli(argv: string[]): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram((c) => (code = c));
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help'
        ? EXIT_OK
        : EXIT_USAGE;
    }
    const message = describeError(err);
    if (json && err instanceof StrataError) {
      process.stdout.write(
        JSON.stringify({ type: 'error', code: err.code, message: err.message, hint: err.hint }) + '\n',
      );
    }
    process.stderr.write(`strata: ${message}\n`);
    if (!(err instanceof StrataError) && process.env.STRATA_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    return err instanceof StrataError && err.code === 'usage' ? EXIT_USAGE : EXIT_FAILED;
  }
}
