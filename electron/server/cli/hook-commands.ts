/**
 * `strata hook`: commands a folder policy runs before and after its source's backup. One command
 * line each, run through /bin/sh with STRATA_* variables; see backup/hooks.ts for what decides
 * what.
 */
import type { Command } from 'commander';
import { StrataError } from '../../../shared/errors.js';
import { DEFAULT_HOOK_TIMEOUT_MS, formatTimeout, parseTimeout } from '../../../shared/command-timeout.js';
import type { Engine } from '../../engine/engine.js';
import type { HookPhase } from '../../engine/store/hook-store.js';
import { table } from './format.js';

type Emit = (out: { json: boolean }, value: unknown, human: () => string) => void;

function phaseOf(o: { before?: unknown; after?: unknown }): HookPhase {
  if ((o.before === undefined) === (o.after === undefined)) {
    throw new StrataError('usage', 'say which hook: --before or --after', 'give exactly one of them');
  }
  return o.before !== undefined ? 'before' : 'after';
}

export function addHookCommands(program: Command, open: () => Engine, emit: Emit): void {
  const hook = program.command('hook').description('commands run before and after a source is backed up');
  hook
    .command('set')
    .description("run a command before or after SOURCE's backup (FOLDER names the policy it belongs to, / the root)")
    .argument('<source>')
    .argument('<folder>')
    .option('--before <command>', 'run before the backup; if it fails, the backup does not run')
    .option('--after <command>', 'run after the backup, whatever its outcome (STRATA_STATUS says it)')
    .option(
      '--timeout <duration>',
      'stop the command after this long, e.g. 90s, 10m, 1h',
      formatTimeout(DEFAULT_HOOK_TIMEOUT_MS),
    )
    .action((source: string, folder: string, o: { before?: string; after?: string; timeout: string }) => {
      const phase = phaseOf(o);
      const h = open().setHook(source, folder, phase, (o.before ?? o.after)!, parseTimeout(o.timeout));
      console.log(
        `${phase === 'before' ? 'Before' : 'After'} ${source}'s backup: ${h.command} (time limit ${formatTimeout(h.timeoutMs)}).`,
      );
    });
  hook
    .command('remove')
    .argument('<source>')
    .argument('<folder>')
    .option('--before', 'the before-backup hook')
    .option('--after', 'the after-backup hook')
    .action((source: string, folder: string, o: { before?: boolean; after?: boolean }) => {
      const phase = phaseOf(o);
      if (!open().removeHook(source, folder, phase)) {
        throw new StrataError('not-found', `${source}:${folder} has no ${phase}-backup hook`, "see 'strata hook list'");
      }
      console.log(`Removed the ${phase}-backup hook of ${source}:${folder}.`);
    });
  hook
    .command('list')
    .argument('[source]')
    .option('--json', 'print JSON')
    .action((source: string | undefined, o: { json?: boolean }) => {
      const hooks = open().listHooks(source);
      emit({ json: !!o.json }, { hooks }, () =>
        hooks.length
          ? table([
              ['SOURCE', 'FOLDER', 'WHEN', 'LIMIT', 'COMMAND'],
              ...hooks.map((h) => [h.source, `/${h.folder}`, h.phase, formatTimeout(h.timeoutMs), h.command]),
            ])
          : 'No hooks. Add one with \'strata hook set SOURCE / --before "CMD"\'.',
      );
    });
}
