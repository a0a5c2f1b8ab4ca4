/**
 * Runs a user's command (a database dump, a hook) the way a backup needs it: argv without a shell
 * unless asked, extra environment variables (secrets such as PGPASSWORD) added to the inherited
 * ones, standard output as a stream with backpressure, standard error kept (its tail) for the run
 * log, and a time limit. `finished` settles once the process has exited and its output was read:
 * it rejects with a StrataError that says what went wrong and what to do, never with a secret.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { StrataError } from '../../../shared/errors.js';
import { formatTimeout } from '../../../shared/command-timeout.js';

export interface CommandSpec {
  /** Program and arguments; with `shell`, one command line for /bin/sh -c (cmd.exe on Windows). */
  argv: readonly string[];
  shell?: boolean | undefined;
  /** Added to this process's environment (values never appear in messages). */
  env?: Readonly<Record<string, string>> | undefined;
  cwd?: string | undefined;
  /** Stopped (SIGTERM, then SIGKILL 10 s later) after this long. */
  timeoutMs?: number | undefined;
  /** Any output on standard error fails the command, even when it exits 0. */
  stderrFatal?: boolean | undefined;
  /** Standard input: nothing (default), or a stream fed to the command (a restore's --pipe-to). */
  stdin?: Readable | undefined;
  /** Also shown as it comes (a command run in the foreground); the tail is kept either way. */
  onStderr?: ((text: string) => void) | undefined;
}

export interface CommandOutcome {
  /** The last STDERR_TAIL bytes of standard error, for the run log. */
  stderr: string;
  durationMs: number;
}

export interface RunningCommand {
  stdout: Readable;
  finished: Promise<CommandOutcome>;
  /** Stops the command (a cancelled run); `finished` then rejects. */
  stop(): void;
}

const STDERR_TAIL = 16 * 1024;
const KILL_GRACE_MS = 10_000;

/** How a command is named in messages: its program and arguments, quoted when they need it. */
export function describeCommand(spec: Pick<CommandSpec, 'argv' | 'shell'>): string {
  return `“${commandLine(spec)}”`;
}

/** The command as one line, its arguments quoted when they need it. */
export function commandLine(spec: Pick<CommandSpec, 'argv' | 'shell'>): string {
  if (spec.shell) return spec.argv.join(' ');
  return spec.argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export function runCommand(spec: CommandSpec): RunningCommand {
  if (spec.argv.length === 0 || spec.argv[0] === '') {
    throw new StrataError('usage', 'no command given', 'give the program to run and its arguments');
  }
  const started = Date.now();
  const shown = describeCommand(spec);
  const [program, ...args] = spec.shell ? [spec.argv.join(' ')] : spec.argv;
  const child: ChildProcess = spawn(program!, args, {
    shell: spec.shell === true,
    cwd: spec.cwd,
    env: { ...inheritedEnv(), ...spec.env },
    stdio: [spec.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    windowsHide: true,
  });
  let stderr = '';
  let stderrSeen = false;
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    stderrSeen = true;
    stderr = (stderr + text).slice(-STDERR_TAIL);
    spec.onStderr?.(text);
  });
  if (spec.stdin) {
    // A command that exits without reading all of its input is judged by its exit code.
    child.stdin!.on('error', () => undefined);
    spec.stdin.pipe(child.stdin!);
  }

  let stopped: 'timeout' | 'stop' | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = (why: 'timeout' | 'stop'): void => {
    if (stopped || child.exitCode !== null || child.signalCode !== null) return;
    stopped = why;
    child.kill('SIGTERM');
    killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    killTimer.unref();
  };
  const timer = spec.timeoutMs ? setTimeout(() => stop('timeout'), spec.timeoutMs) : undefined;
  timer?.unref();

  const finished = new Promise<CommandOutcome>((resolve, reject) => {
    let spawnError: NodeJS.ErrnoException | undefined;
    child.once('error', (err: NodeJS.ErrnoException) => {
      spawnError ??= err;
    });
    // 'close': exited and every output stream ended, so the whole output was read.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      const tail = lastLines(stderr);
      if (spawnError) return reject(spawnFailure(shown, program!, spawnError));
      if (stopped === 'timeout') {
        return reject(
          new StrataError(
            'timeout',
            `command ${shown} ran longer than its time limit of ${formatTimeout(spec.timeoutMs!)} and was stopped`,
            'raise its time limit, or find out why it hangs (run it by hand)',
          ),
        );
      }
      if (stopped === 'stop') return reject(new StrataError('cancelled', `command ${shown} was stopped`));
      if (code !== 0) {
        const how = code === null ? `was killed by ${signal ?? 'a signal'}` : `exited with code ${code}`;
        return reject(
          new StrataError(
            'command-failed',
            `command ${shown} ${how}${tail ? `: ${tail}` : ''}`,
            'run the command by hand to see why it fails; the previous snapshot stays the latest',
          ),
        );
      }
      if (spec.stderrFatal && stderrSeen) {
        return reject(
          new StrataError(
            'command-failed',
            `command ${shown} wrote to standard error${tail ? `: ${tail}` : ''}`,
            'fix what it reports, or stop treating its standard error as fatal',
          ),
        );
      }
      resolve({ stderr, durationMs: Date.now() - started });
    });
  });
  finished.catch(() => undefined); // whoever never awaits it must not get an unhandled rejection
  return { stdout: child.stdout!, finished, stop: () => stop('stop') };
}

/**
 * This process's environment without Strata's own variables: STRATA_PASSPHRASE,
 * STRATA_SECRET_ACCESS_KEY and the like are secrets, and a command that prints its environment
 * would put them in the run log.
 */
function inheritedEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('STRATA_')));
}

/** The last few lines of standard error, on one line: enough to say why, short enough for a badge. */
function lastLines(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const tail = lines.slice(-3).join(' | ');
  return tail.length > 500 ? `…${tail.slice(-500)}` : tail;
}

function spawnFailure(shown: string, program: string, err: NodeJS.ErrnoException): StrataError {
  if (err.code === 'ENOENT') {
    return new StrataError(
      'not-found',
      `command “${program}” was not found`,
      'install it, or give its full path (the PATH Strata runs with may be shorter than your shell’s)',
    );
  }
  if (err.code === 'EACCES') {
    return new StrataError('permission', `command “${program}” cannot be run: permission denied`, 'make it executable');
  }
  return new StrataError('io', `command ${shown} could not start: ${err.message}`);
}
