// Runs a child under GNU time with a timeout, and keeps track of every process the bench
// starts so that all of them are stopped when the bench ends (normally, on error, or on Ctrl-C).
import { spawn } from 'node:child_process';
import {
  closeSync,
  createWriteStream,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';

export const GNU_TIME = '/usr/bin/time';

/** Live children: pid -> kill function. */
const live = new Map();
let handlersInstalled = false;

export function track(pid, kill) {
  live.set(pid, kill);
  return () => live.delete(pid);
}

export function killAll() {
  for (const [pid, kill] of [...live]) {
    try {
      kill();
    } catch {
      // already gone
    }
    live.delete(pid);
  }
}

/** On Ctrl-C, SIGTERM, an uncaught error or a normal exit: stop every child we started. */
export function installCleanup(onSignal) {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      process.stderr.write(`\n${sig}: stopping every child process of the bench…\n`);
      killAll();
      onSignal?.();
      process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
    });
  }
}

/** Whether GNU time is there and answers (it is what measures CPU time and peak RSS). */
export function hasGnuTime() {
  return existsSync(GNU_TIME);
}

/**
 * Runs `cmd args` in its own process group under GNU time (when present), with a timeout.
 * stdout and stderr go to `logFile`; `onLine(line, msSinceStart)` sees each stdout line.
 * Returns { code, signal, timedOut, wall, user, sys, cpu, rssMiB } (cpu/rss null without GNU time).
 * user/sys are the child's and its waited-for descendants'; peak RSS is that of the largest
 * single process in the tree (getrusage RUSAGE_CHILDREN semantics).
 */
export function timed(cmd, args, { env, cwd, timeoutMs, logFile, onLine, useTime = hasGnuTime() }) {
  const timeFile = `${logFile}.time`;
  rmSync(timeFile, { force: true });
  const [file, argv] = useTime ? [GNU_TIME, ['-f', '%e %U %S %M', '-o', timeFile, cmd, ...args]] : [cmd, args];
  const log = createWriteStream(logFile);
  log.write(`$ ${cmd} ${args.join(' ')}\n`);
  const start = process.hrtime.bigint();
  const child = spawn(file, argv, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const untrack = track(child.pid, () => process.kill(-child.pid, 'SIGKILL'));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }, timeoutMs);
  let pending = '';
  child.stdout.on('data', (chunk) => {
    log.write(chunk);
    if (!onLine) return;
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    pending += chunk.toString();
    let i;
    while ((i = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, i);
      pending = pending.slice(i + 1);
      if (line) onLine(line, ms);
    }
  });
  child.stderr.on('data', (chunk) => log.write(chunk));
  return new Promise((resolve, reject) => {
    child.once('error', (err) => {
      clearTimeout(timer);
      untrack();
      log.end();
      reject(err);
    });
    child.once('close', (code, signal) => {
      const wall = Number(process.hrtime.bigint() - start) / 1e9;
      clearTimeout(timer);
      untrack();
      if (pending && onLine) onLine(pending, wall * 1000);
      const r = { code, signal, timedOut, wall, user: null, sys: null, cpu: null, rssMiB: null };
      if (useTime && existsSync(timeFile)) {
        // GNU time writes "Command exited with non-zero status N" or "Command terminated by signal N"
        // before the format line; the figures are on the last line.
        const lines = readFileSync(timeFile, 'utf8').trim().split('\n');
        const m = /^([\d.]+) ([\d.]+) ([\d.]+) (\d+)$/.exec(lines[lines.length - 1] ?? '');
        if (m) {
          r.user = Number(m[2]);
          r.sys = Number(m[3]);
          r.cpu = r.user + r.sys;
          r.rssMiB = Number(m[4]) / 1024;
          // GNU time's own exit code is the child's; when the child failed, keep its message in the log.
          if (lines.length > 1) log.write(`\n[time] ${lines.slice(0, -1).join(' | ')}\n`);
        }
      }
      log.end(() => resolve(r));
    });
  });
}

/** Runs a setup command (not measured), throwing with its output when it fails. */
export async function run(cmd, args, { env, cwd, timeoutMs = 120_000, logFile }) {
  const r = await timed(cmd, args, { env, cwd, timeoutMs, logFile, useTime: false });
  if (r.timedOut) throw new Error(`${cmd} ${args.join(' ')} timed out; see ${logFile}`);
  if (r.code !== 0) {
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.code ?? r.signal}:\n${tail}`);
  }
}

/** Process CPU seconds (user+sys) from /proc, for watching s3rver. Null when unreadable. */
export function procCpuSeconds(pid, clockTicks) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" that ends the command name; utime and stime are fields 14 and 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / clockTicks;
  } catch {
    return null;
  }
}

/** Process peak RSS (VmHWM) in MiB from /proc. */
export function procPeakRssMiB(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Busy CPU seconds of the whole machine so far (all cores), from /proc/stat. Null when unreadable. */
export function machineBusySeconds(clockTicks) {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal ...
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return (total - idle) / clockTicks;
  } catch {
    return null;
  }
}

/**
 * Reads every file under `root` once, so that the next measurement finds the data in the page cache.
 * rclone drops what it reads from the cache (posix_fadvise DONTNEED), so whoever ran after it read
 * cold data: restic took 6.7–9.3 s instead of 4.6–5.0 s on the small dataset. Returns bytes read.
 */
export function warmTree(root) {
  const buf = Buffer.allocUnsafe(1024 * 1024);
  let bytes = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.isFile()) {
        const fd = openSync(path, 'r');
        try {
          for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) bytes += n;
        } finally {
          closeSync(fd);
        }
      }
    }
  };
  walk(root);
  return bytes;
}
