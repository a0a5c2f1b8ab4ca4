/**
 * `strata source add command`: a command whose standard output is backed up as one file (a
 * database dump). Environment variables named with --env take their values from this process's
 * environment or a hidden prompt, and are kept in the secret store, never in the catalog.
 */
import type { Command } from 'commander';
import type { Engine } from '../../engine/engine.js';
import { sourceLabel } from '../../engine/store/catalog.js';
import { parseTimeout } from '../../../shared/command-timeout.js';
import { readSecret } from './secret-input.js';

interface CommandFlags {
  outputName: string;
  gzip?: boolean;
  shell?: boolean;
  timeout?: string;
  stderrFatal?: boolean;
  env: string[];
  id?: string;
}

export function addCommandSourceCommand(sourceAdd: Command, open: () => Engine): void {
  sourceAdd
    .command('command')
    .description("a command's standard output (a database dump) saved as one file in each snapshot")
    .argument('<name>', 'a short name, e.g. nextcloud-db')
    .argument('<command...>', "after '--': the program and its arguments, e.g. -- pg_dump --format=custom mydb")
    .requiredOption('--output-name <file>', 'the file name in the snapshot, e.g. nextcloud.dump')
    .option('--gzip', 'compress the output with gzip on the way (name the file .gz)')
    .option('--shell', 'run the command as one line through /bin/sh (pipes, redirections)')
    .option('--timeout <duration>', 'stop the command after this long, e.g. 45m, 2h, 1h30m (default: no limit)')
    .option('--stderr-fatal', 'fail the backup when the command writes anything to standard error')
    .option(
      '--env <NAME>',
      'pass this environment variable (e.g. PGPASSWORD), stored as a secret; its value is read from the same variable here or asked for (repeatable)',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option('--id <id>', "continue an existing snapshot series (its sourceId, from 'strata snapshots --json')")
    .action(async (name: string, argv: string[], o: CommandFlags) => {
      const env: Record<string, string> = {};
      for (const n of o.env) env[n] = await readSecret(n, `Value of ${n}: `);
      const rec = await open().addCommandSource(
        name,
        {
          argv,
          outputName: o.outputName,
          ...(o.shell ? { shell: true } : {}),
          ...(o.gzip ? { gzip: true } : {}),
          ...(o.timeout ? { timeoutMs: parseTimeout(o.timeout) } : {}),
          ...(o.stderrFatal ? { stderrFatal: true } : {}),
        },
        env,
        o.id,
      );
      console.log(`Added source '${rec.name}' (${sourceLabel(rec.config)}).`);
      console.log(`Next: 'strata policy set ${rec.name} / --to DEST' to choose where it goes.`);
    });
}
