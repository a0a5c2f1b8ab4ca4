/**
 * `strata restore`: a snapshot (or part of it) into a folder or a bucket. `--dry-run` prints what
 * would happen to each file and writes nothing. A restore that was killed, cancelled or stopped by
 * a full disk continues when run again: files already in place with the right SHA-256 are kept.
 * `--pipe-to` feeds one file to a command instead (restore-pipe.ts).
 */
import type { Command } from 'commander';
import { StrataError } from '../../../shared/errors.js';
import type { Engine } from '../../engine/engine.js';
import { dryRunRestore } from '../../engine/restore/dry-run.js';
import type { RestoreFilter } from '../../engine/restore/restore-filter.js';
import type { PlanItem } from '../../engine/restore/restore-plan.js';
import type { RestoreProgress } from '../../engine/restore/restore.js';
import { EXIT_FAILED, EXIT_OK, EXIT_PARTIAL } from './exit-codes.js';
import { formatBytes, formatTime, money } from './format.js';
import { oneOf, parseDate, parseList } from './parse.js';
import { restoreIntoCommand } from './restore-pipe.js';

type Out = { json: boolean };
type Emit = (out: Out, value: unknown, human: () => string) => void;

interface Flags {
  to?: string;
  toBucket?: string;
  prefix?: string;
  source?: string;
  path: string[];
  exclude: string[];
  ext?: string;
  name?: string;
  since?: string;
  until?: string;
  conflict: string;
  dryRun?: boolean;
  json?: boolean;
  pipeTo?: string;
}

const ACTION_WORDS: Record<PlanItem['action'], string> = {
  write: 'write',
  skip: 'skip (exists)',
  overwrite: 'overwrite',
  'keep-both': 'keep both',
  identical: 'already there',
};

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function addRestoreCommand(
  program: Command,
  open: () => Engine,
  emit: Emit,
  setExit: (code: number) => void,
): void {
  program
    .command('restore')
    .description("restore a snapshot (or 'latest') into a folder, or into a bucket")
    .argument('<dest>')
    .argument('<snapshot>', "snapshot id (a unique prefix is enough) or 'latest'")
    .option('--to <dir>', 'folder to restore into; the source root maps to it')
    .option('--to-bucket <name>', 'an S3 destination or bucket source to recreate the objects in (original keys)')
    .option('--prefix <prefix>', 'with --to-bucket: below this folder of the bucket')
    .option('--source <name>', 'which source, when the destination holds several')
    .option('--path <path>', 'only this folder or file (repeat for several)', collect, [])
    .option('--exclude <path>', 'leave out this folder or file below a --path (repeatable)', collect, [])
    .option('--ext <list>', 'only these extensions, e.g. .jpg,.png')
    .option('--name <text>', 'only files whose name contains this (any case)')
    .option('--since <date>', 'only files modified at or after this date')
    .option('--until <date>', 'only files modified at or before this date')
    .option('--conflict <rule>', 'when a file exists: skip, overwrite or keep-both', 'skip')
    .option('--dry-run', 'print what would happen to each file; write nothing')
    .option('--pipe-to <command>', 'feed one file (a database dump) to this command line, e.g. "pg_restore -d mydb"')
    .option('--json', 'print JSON')
    .action(async (destName: string, snap: string, o: Flags) => {
      const conflict = oneOf(o.conflict, ['skip', 'overwrite', 'keep-both'] as const, '--conflict');
      const filter: RestoreFilter = {
        paths: o.path.length ? o.path : undefined,
        exclude: o.exclude.length ? o.exclude : undefined,
        extensions: o.ext ? parseList(o.ext) : undefined,
        nameContains: o.name,
        since: o.since ? parseDate(o.since, '--since') : undefined,
        until: o.until ? parseDate(o.until, '--until') : undefined,
      };
      if (o.pipeTo !== undefined) {
        if (o.to !== undefined || o.toBucket !== undefined || o.dryRun) {
          throw new StrataError(
            'usage',
            '--pipe-to feeds a command, not a folder or a bucket',
            'leave out --to, --to-bucket and --dry-run',
          );
        }
        await restoreIntoCommand(open(), {
          dest: destName,
          snapshot: snap,
          source: o.source,
          filter,
          command: o.pipeTo,
        });
        setExit(EXIT_OK);
        return;
      }
      if ((o.to === undefined) === (o.toBucket === undefined)) {
        throw new StrataError(
          'usage',
          'say where to restore: --to DIR or --to-bucket NAME',
          'give exactly one of them',
        );
      }
      if (o.toBucket !== undefined && conflict === 'keep-both') {
        throw new StrataError(
          'usage',
          'a bucket has no "keep both" for an existing key',
          'use --conflict skip or overwrite',
        );
      }
      const where = o.to ?? `bucket ${o.toBucket}${o.prefix ? `/${o.prefix}` : ''}`;
      if (o.dryRun) {
        await dryRun(open(), destName, snap, o, filter, conflict, where);
        setExit(EXIT_OK);
        return;
      }
      const tty = !o.json && process.stderr.isTTY;
      const progress = tty
        ? (p: RestoreProgress) =>
            process.stderr.write(
              `\rrestoring ${p.filesDone}/${p.filesTotal} files, ${formatBytes(p.bytesDone)}/${formatBytes(p.bytesTotal)}   `,
            )
        : undefined;
      const report =
        o.toBucket !== undefined
          ? await open().restoreToBucket({
              dest: destName,
              snapshot: snap,
              source: o.source,
              toBucket: o.toBucket,
              prefix: o.prefix,
              filter,
              conflict: conflict === 'overwrite' ? 'overwrite' : 'skip',
              onProgress: progress,
            })
          : await open().restore({
              dest: destName,
              snapshot: snap,
              source: o.source,
              to: o.to!,
              filter,
              conflict,
              onProgress: progress,
            });
      if (tty) process.stderr.write('\n');
      emit({ json: !!o.json }, { report }, () =>
        [
          `Restored snapshot ${report.snapshotId} into ${where}: ${report.files} files (${formatBytes(report.bytes)}), ` +
            `${report.dirs} folders, ${report.symlinks} links; ` +
            (report.identical ? `${report.identical} already there (same SHA-256), ` : '') +
            `${report.skipped} skipped (a different file is there)` +
            (report.renamed ? `, ${report.renamed} kept beside existing files` : '') +
            '.',
          ...report.errors.slice(0, 50).map((x) => `  ! ${x.path}: ${x.error}`),
          report.errors.length
            ? `${report.errors.length} item(s) could not be restored.`
            : 'Every restored file matched its SHA-256.',
        ].join('\n'),
      );
      if (report.stopped) {
        // Stopped early (a full disk): said once, plainly, as every CLI error is.
        process.stderr.write(`strata: ${report.stopped.message}\n`);
        setExit(EXIT_FAILED);
        return;
      }
      setExit(report.errors.length ? (report.files ? EXIT_PARTIAL : EXIT_FAILED) : EXIT_OK);
    });
}

async function dryRun(
  engine: Engine,
  destName: string,
  snap: string,
  o: Flags,
  filter: RestoreFilter,
  conflict: 'skip' | 'overwrite' | 'keep-both',
  where: string,
): Promise<void> {
  const { snapshot, plan } = await dryRunRestore(engine, {
    dest: destName,
    snapshot: snap,
    source: o.source,
    filter,
    to: o.to,
    toBucket: o.toBucket,
    prefix: o.prefix,
    conflict,
    onItem: (item) => {
      if (o.json) process.stdout.write(JSON.stringify({ type: 'item', ...item }) + '\n');
      else {
        const renamed = item.renamedTo ? ` → ${item.renamedTo}` : '';
        process.stdout.write(
          `${ACTION_WORDS[item.action].padEnd(14)} ${item.path}${renamed} (${formatBytes(item.size)})\n`,
        );
      }
    },
  });
  const c = plan.counts;
  const cost = engine.costs.restoreCost(engine.catalog.destination(destName).id, {
    bytes: plan.egressBytes,
    objects: c.write + c.overwrite + c['keep-both'],
  });
  const summary = {
    dryRun: true,
    snapshotId: snapshot.snapshotId,
    target: where,
    files: plan.files,
    bytes: plan.bytes,
    egressBytes: plan.egressBytes,
    counts: c,
    cost,
  };
  if (o.json) {
    process.stdout.write(JSON.stringify({ type: 'result', ...summary }) + '\n');
    return;
  }
  process.stdout.write(
    `Dry run of snapshot ${snapshot.snapshotId} (${formatTime(snapshot.time)}) into ${where}: ` +
      `${plan.files} files (${formatBytes(plan.bytes)}); ${c.write} to write, ${c.overwrite} to overwrite, ` +
      `${c['keep-both']} to keep beside, ${c.skip} to skip, ${c.identical} already there; ` +
      `${formatBytes(plan.egressBytes)} to download, costing ${money(cost.total)} at ${cost.priceName}'s prices. Nothing was written.\n`,
  );
  for (const w of cost.warnings) process.stdout.write(`warning: ${w}\n`);
}
