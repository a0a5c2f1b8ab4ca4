/**
 * `strata restore … --pipe-to "CMD"`: one file of a snapshot (a database dump) fed to a command's
 * standard input, e.g. `pg_restore -d mydb`. The file is restored first into Strata's own temp
 * folder and checked against the snapshot's SHA-256, so the command never receives bytes that are
 * not exactly what was backed up; then it streams into the command, whose output shows here.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StrataError } from '../../../shared/errors.js';
import { runCommand, describeCommand } from '../../engine/commands/command-run.js';
import type { Engine } from '../../engine/engine.js';
import { dryRunRestore } from '../../engine/restore/dry-run.js';
import type { RestoreFilter } from '../../engine/restore/restore-filter.js';
import { formatBytes } from './format.js';

export interface PipeOptions {
  dest: string;
  snapshot: string;
  source: string | undefined;
  filter: RestoreFilter;
  command: string;
}

export async function restoreIntoCommand(engine: Engine, o: PipeOptions): Promise<void> {
  if (!o.command.trim())
    throw new StrataError('usage', '--pipe-to needs a command', 'e.g. --pipe-to "pg_restore -d mydb"');
  // The manifest alone says how many files the selection holds: nothing is downloaded for a wrong one.
  const files: string[] = [];
  const { snapshot } = await dryRunRestore(engine, {
    ...o,
    to: engine.tmpDir,
    conflict: 'overwrite',
    onItem: (item) => files.push(item.path),
  });
  if (files.length !== 1) {
    throw new StrataError(
      'usage',
      `--pipe-to feeds one file, and this selection of snapshot ${snapshot.snapshotId} holds ${files.length}`,
      files.length ? `choose one with --path (e.g. --path ${files[0]})` : 'check --source and --path',
    );
  }
  const scratch = await mkdtemp(join(engine.tmpDir, 'pipe-'));
  try {
    const report = await engine.restore({ ...o, to: scratch, conflict: 'overwrite' });
    if (report.stopped)
      throw new StrataError(report.stopped.code === 'disk-full' ? 'disk-full' : 'cancelled', report.stopped.message);
    if (report.errors.length)
      throw new StrataError('integrity', `${report.errors[0]!.path}: ${report.errors[0]!.error}`);
    const file = await onlyFileIn(scratch);
    process.stderr.write(
      `Restored ${files[0]} (${formatBytes(report.bytes)}, SHA-256 checked) from snapshot ${report.snapshotId}; feeding it to ${describeCommand({ argv: [o.command], shell: true })}\n`,
    );
    const cmd = runCommand({
      argv: [o.command],
      shell: true,
      stdin: createReadStream(file),
      onStderr: (text) => process.stderr.write(text),
    });
    cmd.stdout.pipe(process.stdout, { end: false });
    await cmd.finished;
    process.stderr.write('The command finished without error.\n');
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function onlyFileIn(dir: string): Promise<string> {
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) return join(e.parentPath, e.name);
  }
  throw new StrataError('internal', 'the restored file is missing from its temp folder');
}
