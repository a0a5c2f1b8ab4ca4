// The vault targets table: per scenario, the Strata vault figure, the restic figure, their ratio,
// the target and MET / NOT MET. Figures only: nothing here changes the exit code.

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

export function bytes(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  const a = Math.abs(n);
  if (a >= GiB) return `${(n / GiB).toFixed(2)} GiB`;
  if (a >= MiB) return `${(n / MiB).toFixed(2)} MiB`;
  if (a >= KiB) return `${(n / KiB).toFixed(1)} KiB`;
  return `${n} B`;
}

const mbps = (b, m) => (m?.ok && m.wall > 0 ? b / 1e6 / m.wall : null);
const fmtMbps = (v) => (v === null ? '–' : `${v.toFixed(1)} MB/s`);
const rssMB = (m) => (m?.ok && m.rssMiB !== null ? (m.rssMiB * MiB) / 1e6 : null);
const fmtMB = (v) => (v === null ? '–' : `${v.toFixed(0)} MB`);
const failed = (m) => (m && !m.ok ? `FAILED` : '–');
const ratio = (a, b) => {
  if (a === null || b === null || a === undefined || b === undefined || !b) return '–';
  const r = a / b;
  return `${r >= 100 ? r.toFixed(0) : r.toFixed(2)}×`;
};
const verdict = (v) => (v === null ? 'n/a' : v ? 'MET' : 'NOT MET');

/** Main-table tools per dataset/target: MB/s of the first and unchanged backups. */
function throughputRows(mainRows, get, datasetBytes) {
  const rows = [];
  for (const row of mainRows) {
    const v = get(row, 'strata-vault');
    const r = get(row, 'restic');
    const okOf = (x) =>
      x && !x.skipped && x.code === 0 && !x.timedOut && !x.problem ? { ok: true, wall: x.wall } : null;
    const vs = mbps(datasetBytes[row.dataset], okOf(v));
    const rs = mbps(datasetBytes[row.dataset], okOf(r));
    if (!v && !r) continue;
    rows.push({
      scenario: 'throughput',
      figure: `${row.dataset} → ${row.target}, ${row.phase} backup`,
      strata: vs === null ? (v?.skipped ? 'skipped' : v ? 'FAILED' : '–') : fmtMbps(vs),
      restic: rs === null ? (r?.skipped ? 'skipped' : r ? 'FAILED' : '–') : fmtMbps(rs),
      ratio: ratio(vs, rs),
      target: row.phase === 'first' ? '≥ restic (assumed)' : '',
      verdict: row.phase === 'first' && vs !== null && rs !== null ? verdict(vs >= rs) : '',
    });
  }
  return rows;
}

/** Notes under the vault table: the general ones, then those of the scenarios that ran. */
const NOTES = {
  all: [
    'Strata vault = strata dest add local DIR --layout vault; restic = restic 0.14 defaults (repository v2, compression',
    '  auto). Both local, on the same disk as the data, page cache warm. "stored" = growth of the repository folder',
    '  (apparent sizes of every file in it, measured before and after the backup).',
    'Strata÷restic divides the two figures as shown: for MB/s above 1 means Strata is faster; for bytes, seconds and',
    '  RSS below 1 means Strata is smaller/faster.',
  ],
  change: [
    'change: one 256 MiB file (80 % random 4 MiB segments, 20 % text), backed up; then 1 MiB at offset 128 MiB',
    '  overwritten with new random bytes, backed up; then 1 MiB of new bytes inserted at 192 MiB (everything after it',
    "  shifts), backed up. bytesUploaded is what Strata reports; data_added is restic's count before compression.",
  ],
  twohomes: [
    'twohomes: a 1 GiB tree (about 80 % incompressible media and archives, 20 % text; no duplicate files) backed up by',
    '  machine 1 (own STRATA_HOME, source m1) and then by machine 2 (another STRATA_HOME, source m2, the same vault',
    '  joined with the same passphrase); restic: one repository, --host m1 then --host m2, each with its own cache.',
    '  A second machine needs its own source name: a vault refuses a second series under a name it already holds.',
  ],
  throughput: [
    'throughput: MB/s = dataset bytes ÷ wall time (decimal MB), from the main table (Strata vault and restic columns)',
    '  and from machine 1 of twohomes. The brief gives no figure for it: "≥ restic" is an assumed target.',
  ],
  restore: [
    'restore: strata restore vault latest --source m1 --to EMPTY vs restic restore latest --host m1 --target EMPTY',
    '  (restic backed up "." from the tree root, so both put the tree at the top of the folder); the restored tree is',
    '  compared with the source by the SHA-256 of every file with its path and size. "≥ restic" is an assumed target.',
    '  Each tool restores five times, the rounds alternating which goes first; the figure is the median round.',
  ],
  million: [
    'million: 1000 files per folder of 16-200 bytes (70 % random, 30 % text) into a fresh local vault / restic repo;',
    '  peak RSS of the largest process (GNU time), MB = 10^6 bytes. The target is judged only at 1,000,000 files.',
  ],
};

export function vaultNotes(scenarios) {
  return [...NOTES.all, ...scenarios.flatMap((s) => NOTES[s] ?? [])];
}

/**
 * vault: { change?, mixed?, million? } from vault-scenarios.mjs; mainRows/get/datasetBytes: the
 * main table's strata-vault and restic rows (scenario 3). Returns { text, verdicts }.
 */
export function vaultTable(vault, { mainRows = [], get = () => undefined, datasetBytes = {} } = {}) {
  const rows = [];
  const verdicts = {};
  const c = vault.change;
  if (c) {
    const step = (name) => c.steps.find((s) => s.step === name) ?? {};
    const ow = step('overwrite');
    const ins = step('insert');
    const added = (x) => (x?.ok ? x.added : null);
    const met = ow.strata?.ok ? ow.strata.added < 8 * MiB : null;
    verdicts.change = verdict(met);
    rows.push({
      scenario: 'change',
      figure: 'stored after 1 MiB overwritten mid-file',
      strata: ow.strata?.ok ? bytes(ow.strata.added) : failed(ow.strata),
      restic: ow.restic?.ok ? bytes(ow.restic.added) : failed(ow.restic),
      ratio: ratio(added(ow.strata), added(ow.restic)),
      target: '< 8 MiB',
      verdict: verdict(met),
    });
    rows.push({
      scenario: '',
      figure: '  … as the tool reports it',
      strata: ow.strata?.ok ? `${bytes(ow.strata.reportedBytes)} (bytesUploaded)` : '–',
      restic: ow.restic?.ok ? `${bytes(ow.restic.reportedBytes)} (data_added)` : '–',
      ratio: '',
      target: '',
      verdict: '',
    });
    rows.push({
      scenario: '',
      figure: 'stored after 1 MiB inserted at 192 MiB',
      strata: ins.strata?.ok ? bytes(ins.strata.added) : failed(ins.strata),
      restic: ins.restic?.ok ? bytes(ins.restic.added) : failed(ins.restic),
      ratio: ratio(added(ins.strata), added(ins.restic)),
      target: '(no target)',
      verdict: '',
    });
    const first = step('first');
    rows.push({
      scenario: '',
      figure: 'stored by the first backup (256 MiB)',
      strata: first.strata?.ok ? bytes(first.strata.added) : failed(first.strata),
      restic: first.restic?.ok ? bytes(first.restic.added) : failed(first.restic),
      ratio: ratio(added(first.strata), added(first.restic)),
      target: '',
      verdict: '',
    });
  }
  const mx = vault.mixed;
  if (mx?.machine2) {
    const m1 = mx.machine1;
    const m2 = mx.machine2;
    const growth = (t) => (m1[t]?.ok && m2[t]?.ok ? m2[t].repo - m1[t].repo : null);
    const g = growth('strata');
    const met = g === null ? null : g < 0.01 * mx.dataset.bytes;
    verdicts.twohomes = verdict(met);
    rows.push({
      scenario: 'twohomes',
      figure: `repository after machine 1 (tree ${bytes(mx.dataset.bytes)})`,
      strata: m1.strata?.ok ? bytes(m1.strata.repo) : failed(m1.strata),
      restic: m1.restic?.ok ? bytes(m1.restic.repo) : failed(m1.restic),
      ratio: ratio(m1.strata?.ok ? m1.strata.repo : null, m1.restic?.ok ? m1.restic.repo : null),
      target: '',
      verdict: '',
    });
    rows.push({
      scenario: '',
      figure: 'repository after machine 2',
      strata: m2.strata?.ok ? bytes(m2.strata.repo) : failed(m2.strata),
      restic: m2.restic?.ok ? bytes(m2.restic.repo) : failed(m2.restic),
      ratio: ratio(m2.strata?.ok ? m2.strata.repo : null, m2.restic?.ok ? m2.restic.repo : null),
      target: '',
      verdict: '',
    });
    const pct = (x) => (x === null ? '' : ` (${((100 * x) / mx.dataset.bytes).toFixed(3)} %)`);
    rows.push({
      scenario: '',
      figure: 'added by machine 2',
      strata: g === null ? '–' : `${bytes(g)}${pct(g)}`,
      restic: growth('restic') === null ? '–' : `${bytes(growth('restic'))}${pct(growth('restic'))}`,
      ratio: ratio(g, growth('restic')),
      target: '< 1 % of the tree',
      verdict: verdict(met),
    });
    rows.push({
      scenario: '',
      figure: 'machine 2 backup wall time',
      strata: m2.strata?.ok ? `${m2.strata.wall.toFixed(1)} s` : failed(m2.strata),
      restic: m2.restic?.ok ? `${m2.restic.wall.toFixed(1)} s` : failed(m2.restic),
      ratio: ratio(m2.strata?.ok ? m2.strata.wall : null, m2.restic?.ok ? m2.restic.wall : null),
      target: '',
      verdict: '',
    });
  }
  const tput = throughputRows(mainRows, get, datasetBytes);
  if (mx?.machine1) {
    const m1 = mx.machine1;
    const vs = mbps(mx.dataset.bytes, m1.strata);
    const rs = mbps(mx.dataset.bytes, m1.restic);
    tput.push({
      scenario: 'throughput',
      figure: 'mixed 1 GiB (20 % text) → local, first',
      strata: vs === null ? failed(m1.strata) : fmtMbps(vs),
      restic: rs === null ? failed(m1.restic) : fmtMbps(rs),
      ratio: ratio(vs, rs),
      target: '≥ restic (assumed)',
      verdict: vs !== null && rs !== null ? verdict(vs >= rs) : '',
    });
  }
  if (tput.length) {
    tput[0].scenario = 'throughput';
    for (let i = 1; i < tput.length; i++) tput[i].scenario = '';
    const judged = tput.filter((r) => r.verdict === 'MET' || r.verdict === 'NOT MET');
    if (judged.length) verdicts.throughput = judged.every((r) => r.verdict === 'MET') ? 'MET' : 'NOT MET';
    rows.push(...tput);
  }
  if (mx?.restore) {
    const r = mx.restore;
    const vs = mbps(mx.dataset.bytes, r.strata);
    const rs = mbps(mx.dataset.bytes, r.restic);
    const same = (x) =>
      !x ? '–' : !x.ok ? 'FAILED' : x.same ? 'yes' : `NO (${x.restored.files} files, ${bytes(x.restored.bytes)})`;
    const okSame = r.strata ? r.strata.ok && r.strata.same : null;
    verdicts.restoreIdentical = verdict(okSame);
    verdicts.restoreSpeed = vs !== null && rs !== null ? verdict(vs >= rs) : 'n/a';
    rows.push({
      scenario: 'restore',
      figure: 'latest snapshot of mixed 1 GiB → empty folder',
      strata: vs === null ? failed(r.strata) : fmtMbps(vs),
      restic: rs === null ? failed(r.restic) : fmtMbps(rs),
      ratio: ratio(vs, rs),
      target: '≥ restic (assumed)',
      verdict: verdicts.restoreSpeed,
    });
    rows.push({
      scenario: '',
      figure: 'restored tree = source (SHA-256 of every file)',
      strata: same(r.strata),
      restic: same(r.restic),
      ratio: '',
      target: 'identical',
      verdict: verdict(okSame),
    });
    rows.push({
      scenario: '',
      figure: 'restore peak RSS',
      strata: fmtMB(rssMB(r.strata)),
      restic: fmtMB(rssMB(r.restic)),
      ratio: ratio(rssMB(r.strata), rssMB(r.restic)),
      target: '',
      verdict: '',
    });
  }
  const mi = vault.million;
  if (mi) {
    const n = mi.dataset.files.toLocaleString('en-US');
    const f = mi.first;
    const met = rssMB(f.strata) === null ? null : rssMB(f.strata) < 500 && mi.dataset.files >= 1_000_000;
    verdicts.million = mi.dataset.files >= 1_000_000 ? verdict(met) : `n/a (ran ${n} files, not 1,000,000)`;
    for (const phase of ['first', 'unchanged']) {
      const p = mi[phase];
      if (!p.strata && !p.restic) continue;
      rows.push({
        scenario: phase === 'first' ? 'million' : '',
        figure: `peak RSS, ${phase} backup of ${n} small files`,
        strata: p.strata?.ok ? fmtMB(rssMB(p.strata)) : failed(p.strata),
        restic: p.restic?.ok ? fmtMB(rssMB(p.restic)) : failed(p.restic),
        ratio: ratio(rssMB(p.strata), rssMB(p.restic)),
        target: phase === 'first' ? '< 500 MB' : '',
        verdict: phase === 'first' ? verdicts.million : '',
      });
      const wall = (x) => (x?.ok ? x.wall : null);
      rows.push({
        scenario: '',
        figure: `  wall time (files/s)`,
        strata:
          wall(p.strata) === null
            ? '–'
            : `${p.strata.wall.toFixed(0)} s (${(mi.dataset.files / p.strata.wall).toFixed(0)}/s)`,
        restic:
          wall(p.restic) === null
            ? '–'
            : `${p.restic.wall.toFixed(0)} s (${(mi.dataset.files / p.restic.wall).toFixed(0)}/s)`,
        ratio: ratio(wall(p.strata), wall(p.restic)),
        target: '',
        verdict: '',
      });
      if (phase === 'unchanged') {
        const grew = (t) => (p[t]?.ok && mi.first[t]?.ok ? p[t].repo - mi.first[t].repo : null);
        rows.push({
          scenario: '',
          figure: `  stored by the unchanged re-run`,
          strata: grew('strata') === null ? '–' : bytes(grew('strata')),
          restic: grew('restic') === null ? '–' : bytes(grew('restic')),
          ratio: ratio(grew('strata'), grew('restic')),
          target: '',
          verdict: '',
        });
      }
      rows.push({
        scenario: '',
        figure: `  repository size`,
        strata: p.strata?.ok ? bytes(p.strata.repo) : '–',
        restic: p.restic?.ok ? bytes(p.restic.repo) : '–',
        ratio: ratio(p.strata?.ok ? p.strata.repo : null, p.restic?.ok ? p.restic.repo : null),
        target: '',
        verdict: '',
      });
    }
  }
  if (!rows.length) return { text: '', verdicts };
  const cols = [
    ['scenario', 'scenario'],
    ['figure', 'figure'],
    ['strata', 'Strata vault'],
    ['restic', 'restic'],
    ['ratio', 'Strata÷restic'],
    ['target', 'target (Strata)'],
    ['verdict', 'verdict'],
  ];
  const width = Object.fromEntries(
    cols.map(([k, h]) => [k, Math.max(h.length, ...rows.map((r) => String(r[k] ?? '').length))]),
  );
  const fmt = (r) =>
    cols
      .map(([k]) => String(r[k] ?? '').padEnd(width[k]))
      .join(' │ ')
      .trimEnd();
  const head = fmt(Object.fromEntries(cols.map(([k, h]) => [k, h])));
  const rule = cols.map(([k]) => '─'.repeat(width[k])).join('─┼─');
  const out = [head, rule];
  rows.forEach((r, i) => {
    if (i > 0 && r.scenario) out.push(rule);
    out.push(fmt(r));
  });
  return { text: out.join('\n'), verdicts };
}
