// The "vault layout" scenarios of `npm run bench`: Strata with a vault destination against restic on
// the same data in the same run. Each scenario returns plain figures (never assertions):
//   change    1 MiB overwritten in the middle of a 256 MiB file (and 1 MiB inserted): bytes added
//   twohomes  the same 1 GiB tree from two machines into one repository: its size after each
//   restore   the latest snapshot of that tree into an empty folder: MB/s, tree compared by SHA-256
//   million   a tree of many small files (1,000,000 by default): peak RSS and wall time
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { run, timed } from './measure.mjs';
import { CLI, REPO_PASSPHRASE, baseEnv } from './tools.mjs';
import { CHANGE, MIXED, dirSize, ensureVaultDataset, keystream, many, treeDigest } from './vault-data.mjs';

const MiB = 1024 * 1024;
/**
 * Restores of the mixed tree per tool, alternating which goes first: five, as the median of three
 * still swung by a tenth from one run of the bench to the next.
 */
const RESTORE_ROUNDS = 5;

/** The run of median wall time (its CPU and RSS with it). */
function medianRun(ms) {
  return [...ms].sort((a, b) => a.wall - b.wall)[Math.floor(ms.length / 2)];
}

/**
 * ctx: { dataDir, workRoot, logRoot, timeoutMs, say, tools: ['strata-vault', 'restic'] (those to run), keep,
 *        working(dir) (told each scenario's work folder, removed on Ctrl-C) }.
 * A measurement: { wall, cpu, rssMiB, code, signal, timedOut, ok, log, error? }.
 */
function measurement(r, logFile, error) {
  const ok = !r.timedOut && r.code === 0 && !error;
  return {
    wall: r.wall,
    cpu: r.cpu,
    rssMiB: r.rssMiB,
    code: r.code,
    signal: r.signal,
    timedOut: r.timedOut,
    ok,
    log: logFile,
    error: r.timedOut ? 'timed out' : r.code !== 0 ? `exit ${r.code ?? r.signal}; see ${logFile}` : error,
  };
}

async function measure(ctx, cmd, args, { env, cwd, logFile, onLine, timeoutMs = ctx.timeoutMs }) {
  spawnSync('sync');
  return timed(cmd, args, { env, cwd, timeoutMs, logFile, onLine });
}

/** A Strata data folder (one "machine"): setup commands unmeasured, backup and restore measured. */
async function strataMachine(ctx, { dir, logDir }) {
  const home = join(dir, 'home');
  mkdirSync(home, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const env = {
    ...baseEnv(home),
    STRATA_HOME: home,
    STRATA_SECRET_STORE: 'vault',
    STRATA_PASSPHRASE: 'x',
    STRATA_REPO_PASSPHRASE: REPO_PASSPHRASE,
  };
  let step = 0;
  const setup = (...args) =>
    run(process.execPath, [CLI, ...args], { env, logFile: join(logDir, `setup-${++step}.log`), timeoutMs: 300_000 });
  await setup('init');
  return {
    env,
    /** Source NAME at ROOT backed up to a local vault in REPO (created, or joined when it exists). */
    async add(name, root, repo) {
      await setup('source', 'add', 'local', name, root);
      await setup('dest', 'add', 'local', 'vault', repo, '--layout', 'vault');
      await setup('policy', 'set', name, '/', '--to', 'vault');
    },
    async backup(tag, opts = {}) {
      const logFile = join(logDir, `${tag}.log`);
      let result = null;
      const r = await measure(ctx, process.execPath, [CLI, 'backup', '--json'], {
        env,
        cwd: dir,
        logFile,
        ...opts,
        onLine(line) {
          if (!line.startsWith('{"type":"result"') && !line.startsWith('{"type":"error"')) return;
          try {
            result = JSON.parse(line);
          } catch {
            // not it
          }
        },
      });
      const res = result?.results?.[0];
      const error =
        result?.status === 'ok'
          ? undefined
          : `status ${result?.status ?? result?.type ?? 'no result line'}${res?.error ? `: ${res.error}` : result?.message ? `: ${result.message}` : ''}`;
      return {
        ...measurement(r, logFile, error),
        files: res?.filesTotal ?? null,
        filesSent: res?.filesUploaded ?? null,
        // What Strata itself reports as uploaded.
        reportedBytes: res?.bytesUploaded ?? null,
      };
    },
    async restore(tag, source, to) {
      const logFile = join(logDir, `${tag}.log`);
      let report = null;
      const r = await measure(
        ctx,
        process.execPath,
        [CLI, 'restore', 'vault', 'latest', '--source', source, '--to', to, '--json'],
        {
          env,
          cwd: dir,
          logFile,
          onLine(line) {
            try {
              const v = JSON.parse(line);
              if (v.type === 'result') report = v.report;
            } catch {
              // progress or text
            }
          },
        },
      );
      const error = !report ? 'no result line' : report.errors?.length ? `${report.errors.length} errors` : undefined;
      return { ...measurement(r, logFile, error), reportedFiles: report?.files ?? null };
    },
  };
}

/** A restic repository in REPO; each "machine" has its own --host and cache folder. */
async function resticRepo(ctx, { dir, logDir, repo }) {
  mkdirSync(logDir, { recursive: true });
  const env = (host) => ({
    ...baseEnv(join(dir, 'home')),
    RESTIC_PASSWORD: REPO_PASSPHRASE,
    RESTIC_REPOSITORY: repo,
    RESTIC_CACHE_DIR: join(dir, `cache-${host}`),
  });
  mkdirSync(join(dir, 'home'), { recursive: true });
  await run('restic', ['init'], { env: env('init'), logFile: join(logDir, 'setup-init.log') });
  return {
    /** `restic backup .` in ROOT, so the snapshot holds the tree at its top (as Strata's does). */
    async backup(tag, host, root, opts = {}) {
      const logFile = join(logDir, `${tag}.log`);
      let summary = null;
      const r = await measure(ctx, 'restic', ['backup', '--json', '--host', host, '.'], {
        env: env(host),
        cwd: root,
        logFile,
        ...opts,
        onLine(line) {
          if (!line.includes('"summary"')) return;
          try {
            summary = JSON.parse(line);
          } catch {
            // not it
          }
        },
      });
      return {
        ...measurement(r, logFile, summary ? undefined : 'no summary line'),
        files: summary?.total_files_processed ?? null,
        filesSent: summary ? summary.files_new + summary.files_changed : null,
        // restic's data_added: bytes of new blobs before compression (0.14 does not report the packed size).
        reportedBytes: summary?.data_added ?? null,
      };
    },
    async restore(tag, host, to) {
      const logFile = join(logDir, `${tag}.log`);
      const r = await measure(ctx, 'restic', ['restore', 'latest', '--host', host, '--target', to], {
        env: env(host),
        cwd: dir,
        logFile,
      });
      return measurement(r, logFile);
    },
  };
}

function fresh(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

const toolsOf = (ctx) => ({ strata: ctx.tools.includes('strata-vault'), restic: ctx.tools.includes('restic') });

function line(ctx, scenario, tool, what, m, extra = '') {
  const fig = m.ok
    ? `${m.wall.toFixed(2).padStart(7)} s wall ${m.cpu === null ? '' : `${m.cpu.toFixed(1).padStart(6)} s CPU `}${m.rssMiB === null ? '' : `${m.rssMiB.toFixed(0).padStart(5)} MiB`}`
    : `FAILED: ${m.error}`;
  ctx.say(`${scenario.padEnd(9)} ${tool.padEnd(12)} ${what.padEnd(30)} ${fig}${extra}`);
}

// ---- 1. change: a 1 MiB edit in a 256 MiB file ----

/** Overwrites `n` bytes at `offset` with fresh random bytes (size unchanged). */
function overwrite(file, offset, n, label) {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, keystream(label)(n), 0, n, offset);
  } finally {
    closeSync(fd);
  }
}

/** Inserts `n` fresh random bytes at `offset` (everything after it shifts). */
function insert(file, offset, n, label) {
  const tmp = `${file}.tmp`;
  const src = openSync(file, 'r');
  const dst = openSync(tmp, 'w');
  try {
    const buf = Buffer.allocUnsafe(8 * MiB);
    let pos = 0;
    const copy = (until) => {
      while (pos < until) {
        const got = readSync(src, buf, 0, Math.min(buf.length, until - pos), pos);
        if (got <= 0) break;
        writeSync(dst, buf, 0, got);
        pos += got;
      }
    };
    copy(offset);
    writeSync(dst, keystream(label)(n));
    copy(Number.MAX_SAFE_INTEGER);
  } finally {
    closeSync(src);
    closeSync(dst);
  }
  renameSync(tmp, file);
}

export async function changeScenario(ctx) {
  const ds = ensureVaultDataset(ctx.dataDir, CHANGE, ctx.say);
  const dir = fresh(join(ctx.workRoot, 'change'));
  ctx.working?.(dir);
  const logDir = fresh(join(ctx.logRoot, 'change'));
  const src = join(dir, 'src');
  mkdirSync(src);
  const file = join(src, 'disk.img');
  copyFileSync(join(ds.root, 'disk.img'), file);
  const use = toolsOf(ctx);
  const repos = { strata: join(dir, 'strata-repo'), restic: join(dir, 'restic-repo') };
  const strata = use.strata
    ? await strataMachine(ctx, { dir: join(dir, 'strata'), logDir: join(logDir, 'strata') })
    : null;
  await strata?.add('data', src, repos.strata);
  const restic = use.restic
    ? await resticRepo(ctx, { dir: join(dir, 'restic'), logDir: join(logDir, 'restic'), repo: repos.restic })
    : null;
  const half = CHANGE.bytes / 2;
  const steps = [
    { step: 'first', what: 'first backup of the 256 MiB file', edit: () => {} },
    {
      step: 'overwrite',
      what: 'overwrite 1 MiB at 128 MiB',
      edit: () => overwrite(file, half, MiB, 'change:overwrite'),
    },
    {
      step: 'insert',
      what: 'insert 1 MiB at 192 MiB',
      edit: () => insert(file, half + half / 2, MiB, 'change:insert'),
    },
  ];
  const out = { dataset: { files: ds.files, bytes: ds.bytes }, steps: [] };
  for (const s of steps) {
    s.edit();
    const row = { step: s.step, what: s.what };
    for (const [tool, handle] of [
      ['strata', strata],
      ['restic', restic],
    ]) {
      if (!handle) continue;
      const before = dirSize(repos[tool]);
      const m =
        tool === 'strata'
          ? await handle.backup(`backup-${s.step}`)
          : await handle.backup(`backup-${s.step}`, 'bench', src);
      const after = dirSize(repos[tool]);
      row[tool] = { ...m, repoBefore: before.bytes, repoAfter: after.bytes, added: after.bytes - before.bytes };
      line(
        ctx,
        'change',
        tool === 'strata' ? 'Strata vault' : 'restic',
        s.what,
        m,
        m.ok ? `  +${((after.bytes - before.bytes) / MiB).toFixed(2)} MiB stored` : '',
      );
    }
    out.steps.push(row);
  }
  if (!ctx.keep) rmSync(dir, { recursive: true, force: true });
  return out;
}

// ---- 2 and 4. twohomes and restore: the 1 GiB mixed tree ----

export async function mixedScenarios(ctx, { twohomes, restore }) {
  const ds = ensureVaultDataset(ctx.dataDir, MIXED, ctx.say);
  const dir = fresh(join(ctx.workRoot, 'mixed'));
  ctx.working?.(dir);
  const logDir = fresh(join(ctx.logRoot, 'mixed'));
  const use = toolsOf(ctx);
  const repos = { strata: join(dir, 'strata-repo'), restic: join(dir, 'restic-repo') };
  const out = { dataset: { files: ds.files, bytes: ds.bytes } };
  const t0 = Date.now();
  const source = treeDigest(ds.root);
  out.sourceDigest = source;
  ctx.say(
    `mixed     source tree: ${source.files} files, ${(source.bytes / MiB).toFixed(0)} MiB, SHA-256 ${source.digest.slice(0, 16)}… (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );

  const m1 = use.strata
    ? await strataMachine(ctx, { dir: join(dir, 'strata-m1'), logDir: join(logDir, 'strata-m1') })
    : null;
  await m1?.add('m1', ds.root, repos.strata);
  const restic = use.restic
    ? await resticRepo(ctx, { dir: join(dir, 'restic'), logDir: join(logDir, 'restic'), repo: repos.restic })
    : null;

  // Machine 1: a first backup of the tree (also a throughput figure on compressible, realistic data).
  out.machine1 = {};
  if (m1) {
    const m = await m1.backup('backup-m1');
    out.machine1.strata = { ...m, repo: dirSize(repos.strata).bytes };
    line(
      ctx,
      'mixed',
      'Strata vault',
      'machine 1: first backup',
      m,
      `  repo ${(out.machine1.strata.repo / MiB).toFixed(1)} MiB`,
    );
  }
  if (restic) {
    const m = await restic.backup('backup-m1', 'm1', ds.root);
    out.machine1.restic = { ...m, repo: dirSize(repos.restic).bytes };
    line(
      ctx,
      'mixed',
      'restic',
      'machine 1: first backup',
      m,
      `  repo ${(out.machine1.restic.repo / MiB).toFixed(1)} MiB`,
    );
  }

  if (twohomes) {
    // Machine 2: its own data folder (Strata) or its own --host and cache (restic), same repository.
    out.machine2 = {};
    if (m1) {
      const m2 = await strataMachine(ctx, { dir: join(dir, 'strata-m2'), logDir: join(logDir, 'strata-m2') });
      // A second machine's source needs its own name: a vault refuses a second series under a name it holds.
      await m2.add('m2', ds.root, repos.strata);
      const m = await m2.backup('backup-m2');
      out.machine2.strata = { ...m, repo: dirSize(repos.strata).bytes };
      line(
        ctx,
        'twohomes',
        'Strata vault',
        'machine 2: same tree, same vault',
        m,
        `  repo ${(out.machine2.strata.repo / MiB).toFixed(1)} MiB`,
      );
    }
    if (restic) {
      const m = await restic.backup('backup-m2', 'm2', ds.root);
      out.machine2.restic = { ...m, repo: dirSize(repos.restic).bytes };
      line(
        ctx,
        'twohomes',
        'restic',
        'machine 2: same tree, same repo',
        m,
        `  repo ${(out.machine2.restic.repo / MiB).toFixed(1)} MiB`,
      );
    }
  }

  if (restore) {
    // The latest snapshot of machine 1 into an empty folder; the page cache holds the repository (warm).
    // Rounds alternate which tool goes first, and each figure is the median of its rounds: a restore
    // right after another tool's restore and the removal of its tree ran up to a third slower here
    // (ext4 makes files slowly just after a large delete, and writeback may still be running), which
    // with a fixed order always fell on the same tool.
    out.restore = {};
    const tools = [
      ['strata', 'Strata vault'],
      ['restic', 'restic'],
    ].filter(([tool]) => (tool === 'strata' ? m1 && out.machine1.strata?.ok : restic && out.machine1.restic?.ok));
    const runs = new Map(tools.map(([tool]) => [tool, []]));
    for (let round = 0; round < RESTORE_ROUNDS; round++) {
      for (const [tool] of round % 2 === 0 ? tools : [...tools].reverse()) {
        const to = fresh(join(dir, `restored-${tool}`));
        const m =
          tool === 'strata'
            ? await m1.restore(`restore-${round + 1}`, 'm1', to)
            : await restic.restore(`restore-${round + 1}`, 'm1', to);
        // The tree is compared with the source once per tool, from its first round.
        const got = m.ok && round === 0 ? treeDigest(to) : null;
        runs.get(tool).push({ m, got });
        rmSync(to, { recursive: true, force: true });
      }
    }
    for (const [tool, label] of tools) {
      const all = runs.get(tool);
      const { got } = all[0];
      const failed = all.find((r) => !r.m.ok);
      const m = failed ? failed.m : medianRun(all.map((r) => r.m));
      const same = got ? got.digest === source.digest : null;
      out.restore[tool] = { ...m, restored: got, same, rounds: all.map((r) => r.m.wall) };
      line(
        ctx,
        'restore',
        label,
        'latest snapshot to an empty folder',
        m,
        (got
          ? `  ${got.files} files, ${(got.bytes / MiB).toFixed(0)} MiB, ${same ? 'SAME as the source (SHA-256 of every file)' : 'DIFFERENT from the source'}`
          : '') + `  (median of ${all.map((r) => r.m.wall.toFixed(2)).join(' / ')} s)`,
      );
    }
  }
  if (!ctx.keep) rmSync(dir, { recursive: true, force: true });
  return out;
}

// ---- 5. million: peak memory with many small files ----

export async function millionScenario(ctx, { files, rerun }) {
  const ds = ensureVaultDataset(ctx.dataDir, many(files), ctx.say);
  const dir = fresh(join(ctx.workRoot, 'million'));
  ctx.working?.(dir);
  const logDir = fresh(join(ctx.logRoot, 'million'));
  const use = toolsOf(ctx);
  const repos = { strata: join(dir, 'strata-repo'), restic: join(dir, 'restic-repo') };
  const out = { dataset: { files: ds.files, bytes: ds.bytes }, first: {}, unchanged: {} };
  const timeoutMs = Math.max(ctx.timeoutMs, 60 * 60_000);
  ctx.say(
    `million   ${ds.files} files: the slowest scenario (Strata took about 5 min at 1,000,000 files on 2 cores);` +
      ' skip it with --scenarios throughput,change,twohomes,restore or shrink it with --million 300000',
  );
  const phases = rerun ? ['first', 'unchanged'] : ['first'];
  if (use.strata) {
    const m = await strataMachine(ctx, { dir: join(dir, 'strata'), logDir: join(logDir, 'strata') });
    await m.add('data', ds.root, repos.strata);
    for (const phase of phases) {
      const r = await m.backup(`backup-${phase}`, { timeoutMs });
      out[phase].strata = { ...r, repo: dirSize(repos.strata).bytes };
      line(ctx, 'million', 'Strata vault', `${phase} backup, ${ds.files} files`, r);
      if (!r.ok) break;
    }
  }
  if (use.restic) {
    const restic = await resticRepo(ctx, {
      dir: join(dir, 'restic'),
      logDir: join(logDir, 'restic'),
      repo: repos.restic,
    });
    for (const phase of phases) {
      const r = await restic.backup(`backup-${phase}`, 'bench', ds.root, { timeoutMs });
      out[phase].restic = { ...r, repo: dirSize(repos.restic).bytes };
      line(ctx, 'million', 'restic', `${phase} backup, ${ds.files} files`, r);
      if (!r.ok) break;
    }
  }
  if (!ctx.keep) rmSync(dir, { recursive: true, force: true });
  return out;
}
