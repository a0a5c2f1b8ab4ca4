/**
 * `strata versions` (every stored version of one file) and `strata repair-index` (the local
 * database rebuilt from destinations, e.g. on a new machine).
 */
import type { Command } from 'commander';
import type { RepairReport } from '../../../shared/api/entities.js';
import { StrataError } from '../../../shared/errors.js';
import type { Engine } from '../../engine/engine.js';
import { repairIndex } from '../../engine/recovery/repair-index.js';
import { listVersions } from '../../engine/recovery/versions.js';
import { EXIT_FAILED, EXIT_OK, EXIT_PARTIAL } from './exit-codes.js';
import { formatBytes, formatTime, table } from './format.js';

type Out = { json: boolean };
type Emit = (out: Out, value: unknown, human: () => string) => void;

/** A path as typed: relative to the source root ('/docs/a.txt' or 'docs/a.txt'), or absolute inside a local source. */
export function sourceRelative(path: string, root: string | undefined): string {
  let p = path.replace(/\/+$/, '');
  if (root && root !== '/' && (p === root || p.startsWith(`${root}/`))) p = p.slice(root.length);
  const rel = p.replace(/^\/+/, '');
  if (!rel || rel.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw new StrataError(
      'usage',
      `'${path}' is not the path of a file in the source`,
      'give it relative to the source root, e.g. docs/report.txt',
    );
  }
  return rel;
}

export function addRecoveryCommands(
  program: Command,
  open: () => Engine,
  emit: Emit,
  setExit: (code: number) => void,
): void {
  program
    .command('versions')
    .description('every stored version of one file across snapshots, newest first (read from the destinations)')
    .argument('<source>', 'a source name (or, on a new machine, the name or id of a series on the destinations)')
    .argument('<path>', 'the file, relative to the source root (e.g. docs/report.txt)')
    .option('--dest <name>', 'only this destination')
    .option('--json', 'print JSON')
    .action(async (source: string, rawPath: string, o: { dest?: string; json?: boolean }) => {
      const e = open();
      const configured = e.catalog.listSources().find((s) => s.name === source || s.id === source);
      const path = sourceRelative(rawPath, configured?.config.kind === 'local' ? configured.config.path : undefined);
      const { versions, failures } = await listVersions(e, { source, path, destination: o.dest });
      for (const f of failures) process.stderr.write(`strata: ${f.destination} could not be read: ${f.error}\n`);
      if (!versions.length && !failures.length) {
        throw new StrataError(
          'not-found',
          `no snapshot of '${source}' holds a file '${path}'`,
          "check the path (relative to the source root; see 'strata snapshots' for what was backed up)",
        );
      }
      emit({ json: !!o.json }, { source, path, versions, failures }, () =>
        [
          table([
            ['FIRST SEEN', 'LAST SEEN', 'DEST', 'SIZE', 'SHA-256', 'IN', 'SNAPSHOT'],
            ...versions.map((v) => [
              formatTime(v.firstSeen),
              formatTime(v.lastSeen),
              v.destination,
              formatBytes(v.size),
              v.sha256.slice(0, 12),
              `${v.snapshots} snapshot${v.snapshots === 1 ? '' : 's'}`,
              v.snapshotId,
            ]),
          ]),
          `${distinct(versions)} version(s) of ${path}. Restore one: strata restore DEST SNAPSHOT --source ${source} --path ${path} --to DIR`,
        ].join('\n'),
      );
      setExit(failures.length ? (versions.length ? EXIT_PARTIAL : EXIT_FAILED) : EXIT_OK);
    });

  program
    .command('repair-index')
    .description(
      'rebuild the local database from destinations: sources, snapshots and what each holds (safe to run again)',
    )
    .option('--dest <name>', 'only this destination')
    .option('--json', 'print JSON')
    .action(async (o: { dest?: string; json?: boolean }) => {
      const report = await repairIndex(open(), { destination: o.dest });
      emit({ json: !!o.json }, { report }, () => describeRepair(report));
      const failed = report.destinations.filter((d) => d.error).length + report.synced.filter((s) => s.error).length;
      setExit(failed ? (report.destinations.every((d) => d.error) ? EXIT_FAILED : EXIT_PARTIAL) : EXIT_OK);
    });
}

function distinct(versions: { sha256: string }[]): number {
  return new Set(versions.map((v) => v.sha256)).size;
}

const STATUS_WORDS: Record<RepairReport['sources'][number]['status'], string> = {
  created: 'set up',
  present: 'present',
  'needs-credentials': 'ADD AGAIN',
  'name-taken': 'NAME TAKEN',
};

export function describeRepair(r: RepairReport): string {
  const lines: string[] = [];
  for (const d of r.destinations) {
    if (d.error) lines.push(`Destination '${d.name}' could not be read: ${d.error}`);
    else if (!d.repositoryId) lines.push(`Destination '${d.name}' holds no Strata backups.`);
    else {
      lines.push(
        `Destination '${d.name}': ${d.snapshots} snapshot(s)${d.damaged ? `, ${d.damaged} damaged` : ''} (repository ${d.repositoryId}).`,
      );
    }
  }
  if (r.sources.length) {
    lines.push('', 'Sources:');
    lines.push(
      table([
        ['', 'SOURCE', 'KIND', 'FROM', 'SNAPSHOTS', 'LATEST'],
        ...r.sources.map((s) => [
          STATUS_WORDS[s.status],
          s.sourceName,
          s.kind,
          `${s.root}${s.hostname ? ` (${s.hostname})` : ''}`,
          String(s.snapshots),
          formatTime(s.latest),
        ]),
      ]),
    );
    for (const s of r.sources) if (s.status !== 'present') lines.push(`  ${s.sourceName}: ${s.message}`);
  }
  if (r.synced.length) {
    lines.push('', 'File status:');
    for (const s of r.synced) {
      lines.push(
        s.error
          ? `  ! ${s.source} → ${s.destination}: ${s.error}`
          : s.snapshotId === null
            ? `  ${s.source} → ${s.destination}: holds nothing of it`
            : `  ${s.source} → ${s.destination}: ${s.files} file(s) synced as of snapshot ${s.snapshotId}${s.rebuilt ? '' : ' (already up to date)'}`,
      );
    }
  }
  lines.push('', 'The local index is rebuilt. Restore with strata restore, or back up as before.');
  return lines.join('\n');
}
