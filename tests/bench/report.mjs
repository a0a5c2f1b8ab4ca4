// Formats the bench results as tables.

const TOOL_ORDER = ['strata', 'strata-vault', 'rclone', 'restic'];
const LABEL = { strata: 'Strata', 'strata-vault': 'Strata vault', rclone: 'rclone', restic: 'restic' };

const pad = (s, n) => String(s).padStart(n);
const padEnd = (s, n) => String(s).padEnd(n);
const W = 24;
const num = (v, digits = 2) => (v === null || v === undefined ? '–' : v.toFixed(digits));

function cellOf(r) {
  if (!r) return [pad('–', 7), pad('', 6), pad('', 7) + ' '];
  if (r.skipped) return [padEnd(` ${r.skipped}`.slice(0, W), W)];
  if (r.timedOut) return [padEnd(` TIMEOUT ${num(r.wall, 0)} s`, W)];
  if (r.code !== 0) return [padEnd(` FAILED (exit ${r.code ?? r.signal})`, W)];
  const busy = r.otherCores !== null && r.otherCores !== undefined && r.otherCores > BUSY_CORES;
  return [
    pad(num(r.wall), 7),
    pad(num(r.cpu), 6),
    pad(r.rssMiB === null ? '–' : r.rssMiB.toFixed(0), 7) + (busy ? '*' : ' '),
  ];
}

/** A measurement during which other programs used more than this many cores on average is starred. */
export const BUSY_CORES = 0.25;

function ratio(a, b) {
  if (!a || !b || a.code !== 0 || b.code !== 0 || a.skipped || b.skipped) return '–';
  return `${(a.wall / b.wall).toFixed(2)}×`;
}

/** rows: [{ dataset, target, phase }], results: Map key -> result (key = dataset/target/phase/tool). */
export function mainTable(rows, get) {
  const out = [];
  const group = (label) => padEnd(` ${label}`, W);
  const rule = `${'─'.repeat(26)}┼${TOOL_ORDER.map(() => '─'.repeat(W)).join('┼')}┼${'─'.repeat(27)}`;
  out.push(`${padEnd('', 26)}│${TOOL_ORDER.map((t) => group(LABEL[t])).join('│')}│ Strata÷  Strata÷   vault÷`);
  out.push(
    `${padEnd('dataset target phase', 26)}│${TOOL_ORDER.map(() => ` ${pad('wall s', 7)} ${pad('CPU s', 6)} ${pad('RSS MiB', 7)} `).join('│')}│  rclone   restic   restic`,
  );
  out.push(rule);
  let last = '';
  for (const row of rows) {
    const head = `${row.dataset}/${row.target}`;
    if (last && head !== last && row.dataset !== last.split('/')[0]) out.push(rule);
    last = head;
    const cells = TOOL_ORDER.map((t) => {
      const c = cellOf(get(row, t));
      return c.length === 1 ? c[0] : ` ${c.join(' ')}`;
    });
    const s = get(row, 'strata');
    const v = get(row, 'strata-vault');
    out.push(
      `${padEnd(row.dataset, 8)}${padEnd(row.target, 7)}${padEnd(row.phase, 11)}│${cells.join('│')}│ ${pad(ratio(s, get(row, 'rclone')), 7)}  ${pad(ratio(s, get(row, 'restic')), 7)}  ${pad(ratio(v, get(row, 'restic')), 7)}`,
    );
  }
  return out.join('\n');
}

/** s3rver's own CPU seconds during each s3 measurement (not counted against the tools). */
export function serverTable(rows, get) {
  const s3rows = rows.filter((r) => r.target === 's3');
  if (!s3rows.length) return '';
  const out = [`${padEnd('s3rver CPU s (wall s)', 26)}│${TOOL_ORDER.map((t) => padEnd(` ${LABEL[t]}`, 16)).join('│')}`];
  for (const row of s3rows) {
    const cells = TOOL_ORDER.map((t) => {
      const r = get(row, t);
      if (!r || r.skipped || r.serverCpu === null || r.serverCpu === undefined) return padEnd(' –', 16);
      return padEnd(` ${num(r.serverCpu)} (${num(r.wall)})`, 16);
    });
    out.push(`${padEnd(row.dataset, 8)}${padEnd(row.target, 7)}${padEnd(row.phase, 11)}│${cells.join('│')}`);
  }
  return out.join('\n');
}

/** Where Strata's time goes, from the arrival times of its --json progress lines. */
export function strataPhaseTable(rows, get) {
  const out = [
    `${padEnd('Strata time by phase, s', 26)}│ to 1st line  walk+send  drain  commit  exit │ total │ sent files`,
  ];
  let any = false;
  for (const tool of ['strata', 'strata-vault'])
    for (const row of rows) {
      const r = get(row, tool);
      if (!r || r.skipped || !r.details?.phaseMs) continue;
      const p = r.details.phaseMs;
      const wallMs = r.wall * 1000;
      const s = (a, b) => (a === undefined || b === undefined ? '–' : ((b - a) / 1000).toFixed(2));
      const walkEnd = p.transfer ?? p.commit ?? p.done;
      const drainEnd = p.commit ?? p.done;
      any = true;
      out.push(
        `${padEnd(row.dataset, 8)}${padEnd(row.target, 7)}${padEnd(row.phase, 11)}│ ${pad(s(0, p.firstLine), 11)}  ${pad(s(p.firstLine, walkEnd), 9)}  ${pad(
          p.transfer === undefined ? '–' : s(p.transfer, drainEnd),
          5,
        )}  ${pad(s(p.commit, p.done), 6)}  ${pad(s(p.done, wallMs), 4)} │ ${pad(num(r.wall), 5)} │ ${r.details.filesSent ?? '–'}${tool === 'strata' ? '' : '  (vault)'}`,
      );
    }
  return any ? out.join('\n') : '';
}
