/**
 * Hooks: commands a folder policy runs before and after its source's backup (put an app in
 * maintenance mode, snapshot a filesystem, ping a monitoring URL). A before-hook that fails stops
 * that source's backup; after-hooks always run once the before-hooks ran (so maintenance mode is
 * left again), and their failure is recorded without changing the backup's status. Each gets
 * STRATA_* variables describing the run; its output goes to the run log.
 */
import type { StrataError } from '../../../shared/errors.js';
import { formatTimeout } from '../../../shared/command-timeout.js';
import { describeCommand, runCommand } from '../commands/command-run.js';
import type { Hook, HookPhase } from '../store/hook-store.js';

/** Lines of a hook's output kept in the run log (the last ones). */
const OUTPUT_LINES = 40;

type Log = (level: 'info' | 'warn' | 'error', message: string) => void;

/**
 * Runs the source's hooks of one phase in order (shallower folders first). Before-hooks stop at
 * the first failure and return it; after-hooks all run, and the first failure is returned.
 */
export async function runHooks(
  hooks: readonly Hook[],
  phase: HookPhase,
  env: Record<string, string>,
  log: Log,
): Promise<StrataError | undefined> {
  let first: StrataError | undefined;
  for (const hook of hooks.filter((h) => h.phase === phase)) {
    const failure = await runHook(hook, { ...env, STRATA_HOOK: phase, STRATA_FOLDER: `/${hook.folder}` }, log);
    first ??= failure;
    if (failure && phase === 'before') break;
  }
  return first;
}

async function runHook(hook: Hook, env: Record<string, string>, log: Log): Promise<StrataError | undefined> {
  const shown = describeCommand({ argv: [hook.command], shell: true });
  const what = `${hook.phase}-backup hook ${shown} (/${hook.folder})`;
  const cmd = runCommand({ argv: [hook.command], shell: true, timeoutMs: hook.timeoutMs, env });
  let out = '';
  cmd.stdout.setEncoding('utf8');
  for await (const text of cmd.stdout as AsyncIterable<string>) out = (out + text).slice(-16 * 1024);
  try {
    const done = await cmd.finished;
    logOutput(log, 'info', what, out, done.stderr);
    log('info', `${what} finished in ${formatTimeout(Math.max(1000, done.durationMs))}`);
    return undefined;
  } catch (err) {
    const failure = err as StrataError;
    logOutput(log, 'warn', what, out, '');
    log(hook.phase === 'before' ? 'error' : 'warn', `${what} failed: ${failure.message}`);
    return failure;
  }
}

function logOutput(log: Log, level: 'info' | 'warn', what: string, stdout: string, stderr: string): void {
  const lines = `${stdout}\n${stderr}`
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter(Boolean)
    .slice(-OUTPUT_LINES);
  for (const line of lines) log(level, `${what}: ${line}`);
}
