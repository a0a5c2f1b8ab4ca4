#!/usr/bin/env node
// `npm run bench`: Strata (mirror and vault layouts) against rclone and restic on the same generated
// data, to a local-disk destination and to s3rver on 127.0.0.1, first backup and unchanged re-run
// (scenario "throughput"); then the vault-layout scenarios against restic (vault-scenarios.mjs):
// "change" (1 MiB edited in a 256 MiB file), "twohomes" (one 1 GiB tree from two machines), "restore"
// (latest snapshot to an empty folder) and "million" (peak memory with 1,000,000 small files). Prints
// wall time, CPU time, peak RSS and the vault targets as MET / NOT MET, and writes
// tests/bench/.data/results.json. No assertions: figures; the exit code does not depend on them.
//
//   npm run bench -- [--scenarios throughput,change,twohomes,restore,million] [--million FILES]
//                    [--million-rerun] [--only small|large] [--tools strata,strata-vault,rclone,restic]
//                    [--targets local,s3] [--rounds N] [--timeout MINUTES] [--keep]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DATASETS, ensureDataset } from './datasets.mjs';
import {
  hasGnuTime,
  installCleanup,
  killAll,
  machineBusySeconds,
  procCpuSeconds,
  timed,
  warmTree,
} from './measure.mjs';
import { BUSY_CORES, mainTable, serverTable, strataPhaseTable } from './report.mjs';
import { startS3rver } from './s3rver.mjs';
import { TOOLS } from './tools.mjs';
import { changeScenario, millionScenario, mixedScenarios } from './vault-scenarios.mjs';
import { vaultNotes, vaultTable } from './vault-report.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const DATA = join(HERE, '.data');
const RESULTS = join(DATA, 'results.json');
const PHASES = ['first', 'unchanged'];
const TARGETS = ['local', 's3'];
const SCENARIOS = ['throughput', 'change', 'twohomes', 'restore', 'million'];

function usage(message) {
  if (message) console.error(`bench: ${message}`);
  console.error(
    'usage: npm run bench -- [--scenarios throughput,change,twohomes,restore,million] [--million FILES] [--million-rerun]\n' +
      '                        [--only small|large] [--tools strata,strata-vault,rclone,restic] [--targets local,s3]\n' +
      '                        [--rounds N] [--timeout MINUTES] [--keep]\n' +
      '  --scenarios  which parts run (default: all). throughput = the main table (--only, --targets and --tools\n' +
      '               apply); change, twohomes, restore and million compare strata-vault with restic (--tools applies)\n' +
      '  --rounds     throughput: measure every tool N times, each round starting with the next tool, and keep\n' +
      '               the run of median wall time (default 1; 3 or 5 on a noisy machine)\n' +
      '  --million    files in the many-small-files tree of "million" (default 1000000; 100000 for a quick look)\n' +
      '  --million-rerun  "million": also measure an unchanged re-run of each tool (about 4 more minutes)',
  );
  process.exit(2);
}

function listOption(value, allowed, what) {
  if (value === undefined) return allowed;
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const v of list) if (!allowed.includes(v)) usage(`unknown ${what} "${v}" (one of ${allowed.join(', ')})`);
  return allowed.filter((v) => list.includes(v));
}

let opts;
try {
  opts = parseArgs({
    options: {
      only: { type: 'string' },
      scenarios: { type: 'string' },
      million: { type: 'string', default: '1000000' },
      'million-rerun': { type: 'boolean', default: false },
      tools: { type: 'string' },
      targets: { type: 'string' },
      timeout: { type: 'string', default: '15' },
      rounds: { type: 'string', default: '1' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
} catch (err) {
  usage(err.message);
}
if (opts.help) usage();
const scenarios = listOption(opts.scenarios, SCENARIOS, 'scenario');
const datasets = scenarios.includes('throughput') ? listOption(opts.only, Object.keys(DATASETS), 'dataset') : [];
const toolNames = listOption(opts.tools, Object.keys(TOOLS), 'tool');
const targets = listOption(opts.targets, TARGETS, 'target');
const timeoutMs = Number(opts.timeout) * 60_000;
if (!(timeoutMs > 0)) usage(`--timeout wants minutes, got "${opts.timeout}"`);
const rounds = Number(opts.rounds);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20)
  usage(`--rounds wants a whole number 1–20, got "${opts.rounds}"`);
const millionFiles = Number(opts.million);
if (!Number.isInteger(millionFiles) || millionFiles < 1000 || millionFiles % 1000 !== 0)
  usage(`--million wants a whole number of thousands of files, got "${opts.million}"`);

// On Ctrl-C: children are killed (measure.mjs), then the half-written destination goes too.
let currentDir;
installCleanup(() => {
  if (currentDir && !opts.keep) rmSync(currentDir, { recursive: true, force: true });
});
const say = (line = '') => console.log(line);
const clockTicks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** Share of the data disk in use above which the run warns that its figures are unreliable. */
const DISK_FULL_WARNING = 0.9;

// ---- what is there ----
const cpu = cpus();
const machine = {
  cpus: cpu.length,
  cpuModel: cpu[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
};
say(`Strata bench — ${new Date().toISOString()}`);
say(`machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB RAM, node ${machine.node}`);
// Near full, ext4 makes and removes files slowly and erratically: restores (restic's too) ran about
// 30 % slower on a disk 97 % full, which read as a regression.
mkdirSync(DATA, { recursive: true });
const disk = statfsSync(DATA);
// As df counts it: blocks reserved for root are neither used nor available.
const diskUsed = (disk.blocks - disk.bfree) / (disk.blocks - disk.bfree + disk.bavail);
if (diskUsed > DISK_FULL_WARNING) {
  say(
    `NOTE: the disk holding ${DATA} is ${Math.round(diskUsed * 100)} % full (${(
      (disk.bavail * disk.bsize) /
      2 ** 30
    ).toFixed(1)} GiB free): figures will be low and erratic; free space first`,
  );
}
const gnuTime = hasGnuTime();
if (!gnuTime) {
  say(
    'NOTE: /usr/bin/time (GNU time) is missing, so only wall time is measured; install it with: apt-get install time',
  );
}
const versions = {};
const missing = {};
for (const name of toolNames) {
  const why = TOOLS[name].available();
  if (why) {
    missing[name] = why;
    say(
      name.startsWith('strata')
        ? `SKIP Strata: ${why}`
        : `SKIP ${name}: ${why}; its rows are skipped. Install both with: apt-get install rclone restic`,
    );
  } else {
    versions[name] = TOOLS[name].version();
    say(`${TOOLS[name].label.padEnd(7)}: ${versions[name]}`);
    say(`         ${TOOLS[name].flags}`);
  }
}

const notes = [
  'wall = elapsed time of the measured command; CPU = user+sys of that process and all its children (GNU time);',
  '  RSS = peak resident set of the largest single process in it. Setup (strata init/dest add, restic init) is not measured.',
  's3 target: s3rver 3 on 127.0.0.1 in its own process, fresh per tool and dataset, one bucket each. s3rver is slow and',
  '  single-core (about 100 MB/s and 800 small PUT/s here), so s3 rows mostly measure it; its own CPU is NOT counted',
  '  against any tool (shown separately below). The bench s3rver decodes aws-chunked (streaming-signed) request',
  '  bodies as real S3 does; restic (minio-go) signs every upload that way over http and would store garbage otherwise.',
  'local target: a directory on the same disk as the data. The data is in the page cache (warm) for every tool: the',
  '  bench reads it all before each measurement, because rclone drops what it reads from the cache. `sync` runs',
  '  before each measurement too, untimed, so nobody pays for the previous writer. Durability differs:',
  '  rclone never fsyncs, restic fsyncs each pack file, Strata fsyncs each object of 4 MiB or more as it lands (a',
  "  vault's packs) and the rest before writing the manifest (one syncfs past 256 files).",
  'Strata (mirror) and rclone create 20,000 files in the small rows; on ext4 that costs up to 3× more kernel time',
  '  in the minutes after other runs deleted many files (ext4 skips recently deleted inodes: recently_deleted() in',
  '  perf), so those two columns swing with what ran before them. --rounds 3 and the median tame it.',
  'data: AES-CTR keystream content (incompressible, no duplicates), so compression and dedup gain nothing.',
  'Strata vault: strata dest add local|s3 … --layout vault (dedup, compression, encryption); "Strata" is the mirror.',
  'ratios: Strata wall ÷ the other tool wall (vault÷restic: Strata vault wall ÷ restic wall); below 1 means Strata',
  '  was faster.',
  `*: other programs on this machine used more than ${BUSY_CORES} of a core on average during that measurement`,
  '  (from /proc/stat, minus the tool and s3rver); treat it as noisy and re-run that part.',
];

// ---- data ----
mkdirSync(DATA, { recursive: true });
const data = {};
for (const name of datasets) {
  data[name] = ensureDataset(DATA, DATASETS[name], say);
  say(
    `dataset ${name}: ${data[name].files} files, ${(data[name].bytes / 2 ** 20).toFixed(0)} MiB in ${data[name].root}`,
  );
}
spawnSync('sync');

// ---- measure ----
const results = new Map();
const keyOf = (row, tool) => `${row.dataset}/${row.target}/${row.phase}/${tool}`;
const rows = [];
for (const dataset of datasets)
  for (const target of targets) for (const phase of PHASES) rows.push({ dataset, target, phase });

function record(row, tool, r) {
  results.set(keyOf(row, tool), { ...row, tool, ...r });
}

function describe(r) {
  if (r.skipped) return `skipped: ${r.skipped}`;
  if (r.timedOut) return `TIMEOUT after ${r.wall.toFixed(0)} s`;
  const base = `${r.wall.toFixed(2).padStart(7)} s wall  ${r.cpu === null ? '   –' : r.cpu.toFixed(2).padStart(7)} s CPU  ${
    r.rssMiB === null ? '–' : r.rssMiB.toFixed(0).padStart(5)
  } MiB`;
  const srv = r.serverCpu !== undefined && r.serverCpu !== null ? `  (s3rver ${r.serverCpu.toFixed(1)} s CPU)` : '';
  const other =
    r.otherCores !== null && r.otherCores !== undefined ? `  [others ${r.otherCores.toFixed(2)} cores]` : '';
  return `${base}${srv}${other}${r.code !== 0 ? `  EXIT ${r.code ?? r.signal}` : ''}${r.problem ? `  ! ${r.problem}` : ''}`;
}

const workRoot = join(DATA, 'work');
const logRoot = join(DATA, 'logs');

/** One tool's phases on one dataset and target: { phase: result }; a failed first run ends it. */
async function measureTool(dataset, target, name, round) {
  const tool = TOOLS[name];
  const tag = `${dataset.padEnd(6)} ${target.padEnd(6)}`;
  const out = {};
  const suffix = rounds > 1 ? `-${round + 1}` : '';
  const dir = join(workRoot, `${dataset}-${target}-${name}`);
  const logDir = join(logRoot, `${dataset}-${target}-${name}${suffix}`);
  currentDir = dir;
  rmSync(dir, { recursive: true, force: true });
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  let s3rver;
  try {
    let s3;
    if (target === 's3') {
      s3rver = await startS3rver(join(dir, 's3rver'));
      const bucket = `bench-${name}-${dataset}`;
      s3rver.createBucket(bucket);
      s3 = { endpoint: s3rver.endpoint, bucket };
    }
    const runner = await tool.prepare({ dataset: data[dataset], target, dir, logDir, s3 });
    for (const phase of PHASES) {
      const c = runner(phase);
      const logFile = join(logDir, `${phase}.log`);
      // Untimed: everyone starts with the data in the page cache and nothing left to write back.
      warmTree(data[dataset].root);
      spawnSync('sync');
      const decoded0 = s3rver ? await s3rver.decodedRequests() : null;
      const cpu0 = s3rver ? procCpuSeconds(s3rver.pid, clockTicks) : null;
      const busy0 = machineBusySeconds(clockTicks);
      const r = await timed(c.cmd, c.args, { env: c.env, cwd: dir, timeoutMs, logFile, onLine: c.onLine });
      const busy1 = machineBusySeconds(clockTicks);
      const cpu1 = s3rver ? procCpuSeconds(s3rver.pid, clockTicks) : null;
      const serverCpu = cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null;
      // CPU the rest of the machine used meanwhile (other programs), in cores: a noise indicator.
      const otherCores =
        busy0 !== null && busy1 !== null && r.cpu !== null && r.wall > 0
          ? Math.max(0, busy1 - busy0 - r.cpu - (serverCpu ?? 0)) / r.wall
          : null;
      const decoded1 = s3rver ? await s3rver.decodedRequests() : null;
      const details = c.details();
      if (decoded1 !== null && decoded0 !== null) details.awsChunkedBodies = decoded1 - decoded0;
      const problem = r.timedOut
        ? 'timed out'
        : r.code !== 0
          ? `exit ${r.code ?? r.signal}; see ${logFile}`
          : tool.check(details, phase, data[dataset]);
      const result = {
        wall: r.wall,
        cpu: r.cpu,
        user: r.user,
        sys: r.sys,
        rssMiB: r.rssMiB,
        code: r.code,
        signal: r.signal,
        timedOut: r.timedOut,
        serverCpu,
        otherCores,
        details,
        problem: problem ?? undefined,
        log: logFile,
        at: new Date().toISOString(),
      };
      out[phase] = result;
      const which = rounds > 1 ? ` (round ${round + 1}/${rounds})` : '';
      say(`${tag} ${phase.padEnd(9)} ${tool.label.padEnd(7)} ${describe(result)}${which}`);
      if ((r.timedOut || r.code !== 0) && phase === 'first') {
        // The re-run means nothing after a failed first run.
        out.unchanged = { skipped: 'first run failed' };
        break;
      }
    }
  } catch (err) {
    const message = String(err?.message ?? err).split('\n')[0];
    say(`${tag} ${tool.label.padEnd(7)} setup failed: ${err?.message ?? err}`);
    for (const phase of PHASES) out[phase] ??= { skipped: `setup failed: ${message}` };
  } finally {
    await s3rver?.stop();
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/** Of several rounds' results, the run of median wall time, with every round's wall time beside it. */
function medianOf(list) {
  const ok = list.filter((r) => r && !r.skipped && r.code === 0 && !r.timedOut);
  if (ok.length < list.length) return list.find((r) => r && (r.skipped || r.code !== 0 || r.timedOut));
  const sorted = [...ok].sort((a, b) => a.wall - b.wall);
  const mid = sorted[Math.floor((sorted.length - 1) / 2)];
  return list.length > 1 ? { ...mid, rounds: list.map((r) => r.wall) } : mid;
}

say('');
for (const dataset of datasets) {
  for (const target of targets) {
    const runs = new Map();
    for (let round = 0; round < rounds; round++) {
      // Each round starts one tool later, so no tool always runs first or after the same neighbour.
      const order = toolNames.map((_, i) => toolNames[(i + round) % toolNames.length]);
      for (const name of order) {
        if (missing[name]) continue;
        const out = await measureTool(dataset, target, name, round);
        for (const phase of PHASES) {
          const key = `${phase}/${name}`;
          if (!runs.has(key)) runs.set(key, []);
          runs.get(key).push(out[phase] ?? { skipped: 'not run' });
        }
      }
    }
    for (const name of toolNames) {
      for (const phase of PHASES) {
        const row = { dataset, target, phase };
        if (missing[name]) record(row, name, { skipped: missing[name], missing: true });
        else record(row, name, medianOf(runs.get(`${phase}/${name}`)));
      }
    }
    if (rounds > 1) {
      for (const phase of PHASES) {
        const line = toolNames
          .filter((n) => !missing[n])
          .map((n) => {
            const r = results.get(keyOf({ dataset, target, phase }, n));
            return `${TOOLS[n].label} ${r?.rounds ? r.rounds.map((w) => w.toFixed(2)).join('/') : '–'}`;
          })
          .join(', ');
        say(`${dataset.padEnd(6)} ${target.padEnd(6)} ${phase.padEnd(9)} walls by round: ${line} (median kept)`);
      }
    }
  }
}

// ---- vault scenarios (Strata vault against restic, same data, same run) ----
const vault = {};
const vaultTools = toolNames.filter((t) => (t === 'strata-vault' || t === 'restic') && !missing[t]);
const vaultCtx = {
  dataDir: DATA,
  workRoot,
  logRoot,
  timeoutMs,
  say,
  tools: vaultTools,
  keep: opts.keep,
  // On Ctrl-C the scenario's work folder goes too (unless --keep).
  working: (dir) => {
    currentDir = dir;
  },
};
const vaultStep = async (name, fn) => {
  const t0 = Date.now();
  try {
    vault[name] = await fn();
  } catch (err) {
    say(`${name}: setup failed: ${err?.stack ?? err}`);
    vault[name] = { failed: String(err?.message ?? err) };
  }
  say(`${name}: ${((Date.now() - t0) / 1000).toFixed(0)} s in all`);
  say('');
};
const wantVault = scenarios.filter((s) => s !== 'throughput');
if (wantVault.length) {
  say('');
  if (!vaultTools.length) say(`SKIP ${wantVault.join(', ')}: they need --tools strata-vault and/or restic`);
  else {
    say(`Vault scenarios (${wantVault.join(', ')}): ${vaultTools.join(' and ')}`);
    if (scenarios.includes('change')) await vaultStep('change', () => changeScenario(vaultCtx));
    if (scenarios.includes('twohomes') || scenarios.includes('restore')) {
      await vaultStep('mixed', () =>
        mixedScenarios(vaultCtx, { twohomes: scenarios.includes('twohomes'), restore: scenarios.includes('restore') }),
      );
    }
    if (scenarios.includes('million')) {
      if (millionFiles < 1_000_000)
        say(
          `NOTE: "million" runs with ${millionFiles.toLocaleString('en-US')} files (--million), not 1,000,000; its target is not judged.`,
        );
      await vaultStep('million', () =>
        millionScenario(vaultCtx, { files: millionFiles, rerun: opts['million-rerun'] }),
      );
    }
  }
}
killAll();

// ---- report ----
const get = (row, tool) => results.get(keyOf(row, tool));
if (rows.length) {
  say('');
  say(mainTable(rows, get));
  const server = serverTable(rows, get);
  if (server) {
    say('');
    say(server);
    const chunked = [...results.values()].filter((r) => r.details?.awsChunkedBodies);
    if (chunked.length) {
      say(
        `  aws-chunked (streaming-signed) request bodies s3rver had to decode: ${chunked
          .map((r) => `${r.tool} ${r.dataset} ${r.phase} ${r.details.awsChunkedBodies}`)
          .join(', ')}`,
      );
    }
  }
  const phasesTable = strataPhaseTable(rows, get);
  if (phasesTable) {
    say('');
    say(phasesTable);
    say(
      '  (from the arrival of Strata\'s --json progress lines, which come at most every 0.5 s: "walk+send" is the walk',
    );
    say('   with uploads running alongside it, "drain" the uploads still running after the walk, "commit" removals,');
    say(
      '   manifest and index flush, "exit" process teardown after the result. "–": that phase\'s line fell inside the',
    );
    say('   0.5 s throttle, so its time is counted in the column to its left.)');
  }
  const problems = [...results.values()].filter((r) => r.problem);
  say('');
  if (problems.length) {
    say('Problems:');
    for (const p of problems) say(`  ${p.dataset} ${p.target} ${p.phase} ${p.tool}: ${p.problem}`);
    say('');
  }
  say('Notes:');
  for (const n of notes) say(`  ${n}`);
}

const datasetBytes = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.bytes]));
const ranVault = Object.fromEntries(Object.entries(vault).filter(([, v]) => !v.failed));
const { text: vaultText, verdicts } = vaultTable(ranVault, { mainRows: rows, get, datasetBytes });
if (vaultText) {
  say('');
  say('Vault layout targets: Strata vault against restic, same data, same run');
  say(vaultText);
  say('');
  say('Vault notes:');
  for (const n of vaultNotes(scenarios)) say(`  ${n}`);
}
for (const [name, v] of Object.entries(vault)) if (v.failed) say(`vault scenario ${name} FAILED to run: ${v.failed}`);

// Merge into results.json so partial re-runs (--only, --tools, --targets, --scenarios) update their own parts only.
let previousFile = {};
try {
  if (existsSync(RESULTS)) previousFile = JSON.parse(readFileSync(RESULTS, 'utf8'));
} catch {
  previousFile = {};
}
const previous = previousFile.results ?? [];
const merged = new Map(previous.map((r) => [`${r.dataset}/${r.target}/${r.phase}/${r.tool}`, r]));
// A row skipped this time because its tool is missing keeps its earlier measurement.
for (const [k, v] of results) if (!(v.missing && merged.has(k) && !merged.get(k).skipped)) merged.set(k, v);
const at = new Date().toISOString();
const vaultMerged = { ...(previousFile.vault ?? {}) };
// "million" is kept per size (million-1000000, million-300000…), so a quick run at another size keeps the full one.
for (const [k, v] of Object.entries(vault)) vaultMerged[k === 'million' ? `million-${millionFiles}` : k] = { ...v, at };
// A verdict this run could not judge (n/a) keeps an earlier one.
const verdictsMerged = { ...(previousFile.vaultVerdicts ?? {}) };
for (const [k, v] of Object.entries(verdicts)) if (!(v.startsWith('n/a') && verdictsMerged[k])) verdictsMerged[k] = v;
writeFileSync(
  RESULTS,
  JSON.stringify(
    {
      updated: at,
      machine,
      versions: { ...(previousFile.versions ?? {}), ...versions },
      flags: { ...(previousFile.flags ?? {}), ...Object.fromEntries(toolNames.map((t) => [t, TOOLS[t].flags])) },
      datasets: {
        ...(previousFile.datasets ?? {}),
        ...Object.fromEntries(Object.entries(data).map(([k, v]) => [k, { files: v.files, bytes: v.bytes }])),
      },
      notes,
      results: [...merged.values()],
      // change / mixed (twohomes + restore) / million, as vault-scenarios.mjs returns them; verdicts of this run.
      vault: vaultMerged,
      vaultVerdicts: verdictsMerged,
      vaultNotes: vaultNotes(SCENARIOS),
    },
    null,
    2,
  ) + '\n',
);
say('');
say(`Results written to ${RESULTS}`);
