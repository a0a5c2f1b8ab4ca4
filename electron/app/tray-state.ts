/**
 * What the tray icon shows: which icon and the tooltip, from the dashboard and the live run.
 * Pure: the composition feeds it the latest dashboard, run progress, schedule state and clock,
 * and applies the result to Electron's Tray. Also holds the small word formatters the tray
 * menu shares (sizes in base 1000, like the rest of the app).
 */
import { formatBytes } from '../../shared/format-bytes.js';
import type { ActiveRun, Dashboard, DestinationSummary, RunStatus } from '../../shared/api/entities.js';

export interface TrayInput {
  /** Null until the first dashboard is loaded. */
  dashboard: Dashboard | null;
  /** The live run (from `run.progress`); falls back to `dashboard.active` when null. */
  active: ActiveRun | null;
  /** Schedules paused by the user. */
  paused: boolean;
  /** When the next scheduled run is due (epoch ms), if any is known. */
  nextRunAt: number | null;
  now: number;
}

export type TrayIcon = 'idle' | 'running' | 'error' | 'paused';

export interface TrayState {
  icon: TrayIcon;
  tooltip: string;
}

/** Windows truncates tray tooltips past 127 UTF-16 units (NOTIFYICONDATA.szTip is 128 with the NUL). */
export const TOOLTIP_MAX = 127;

const PREFIX = 'Strata — ';
const SEP = ' · ';

export function trayState(input: TrayInput): TrayState {
  const active = currentRun(input);
  const running = active !== null;
  const suffixes = statusSuffixes(input, running);

  if (active) return { icon: 'running', tooltip: compose(PREFIX + runningText(active), null, suffixes) };

  const dashboard = input.dashboard;
  if (!dashboard)
    return { icon: input.paused ? 'paused' : 'idle', tooltip: compose(`${PREFIX}starting…`, null, suffixes) };

  const failing = failingDestinations(dashboard);
  const first = failing[0];
  if (first) {
    const more = failing.length > 1 ? ` and ${failing.length - 1} more` : '';
    const verb = first.lastStatus === 'partial' ? 'partly failed' : 'failed';
    return { icon: 'error', tooltip: compose(`${PREFIX}${first.name}${more} ${verb}`, first.lastError, suffixes) };
  }

  return {
    icon: input.paused ? 'paused' : 'idle',
    tooltip: compose(PREFIX + idleText(dashboard, input.now), null, suffixes),
  };
}

/** The run in progress: the live one, else the dashboard's. */
export function currentRun(input: Pick<TrayInput, 'active' | 'dashboard'>): ActiveRun | null {
  return input.active ?? input.dashboard?.active ?? null;
}

/** Whole-run percentage sent (0-100), or null while nothing is known to send yet. */
export function runPercent(active: Pick<ActiveRun, 'total'>): number | null {
  const t = active.total;
  if (t.bytesToSend > 0) return Math.min(100, Math.floor((t.bytesSent / t.bytesToSend) * 100));
  if (t.phase === 'commit' || t.phase === 'done') return 100;
  if (t.scanDone && t.filesToSend > 0) return Math.min(100, Math.floor((t.filesSent / t.filesToSend) * 100));
  return null;
}

/** Destinations whose last run failed or partly failed, in dashboard order. */
export function failingDestinations(dashboard: Pick<Dashboard, 'destinations'>): DestinationSummary[] {
  return dashboard.destinations.filter((d) => isFailure(d.lastStatus));
}

export function isFailure(status: RunStatus | null): boolean {
  return status === 'failed' || status === 'partial';
}

function runningText(active: ActiveRun): string {
  if (active.cancelling) return 'cancelling backup…';
  const pct = runPercent(active);
  if (pct === null) return 'backing up: scanning…';
  const t = active.total;
  if (t.bytesToSend > 0) return `backing up: ${pct}% (${formatBytes(t.bytesSent)} of ${formatBytes(t.bytesToSend)})`;
  return `backing up: ${pct}%`;
}

function idleText(dashboard: Dashboard, now: number): string {
  if (dashboard.destinations.length === 0) return 'no destinations yet';
  let latest: DestinationSummary | undefined;
  for (const d of dashboard.destinations) {
    if (d.lastRunAt !== null && (latest === undefined || d.lastRunAt > (latest.lastRunAt ?? 0))) latest = d;
  }
  if (!latest || latest.lastRunAt === null) return 'no backups yet';
  return `last backup ${formatAgo(latest.lastRunAt, now)}: ${statusWord(latest.lastStatus)}`;
}

function statusWord(status: RunStatus | null): string {
  switch (status) {
    case 'cancelled':
      return 'cancelled';
    case 'interrupted':
      return 'interrupted';
    case 'failed':
      return 'failed';
    case 'partial':
      return 'partly failed';
    default:
      return 'OK';
  }
}

function statusSuffixes(input: TrayInput, running: boolean): string[] {
  if (input.paused) return ['schedules paused'];
  if (input.nextRunAt !== null && !running) return [`next run ${formatIn(input.nextRunAt, input.now)}`];
  return [];
}

/**
 * head + ": " + reason + suffixes, within TOOLTIP_MAX: the reason gives way first (ellipsis),
 * then, should the head alone be too long, the whole line is cut.
 */
function compose(head: string, reason: string | null, suffixes: string[]): string {
  const tail = suffixes.map((s) => SEP + s).join('');
  const clean = reason === null ? '' : oneLine(reason);
  if (!clean) return truncate(head + tail, TOOLTIP_MAX);
  const full = `${head}: ${clean}${tail}`;
  if (full.length <= TOOLTIP_MAX) return full;
  const room = TOOLTIP_MAX - head.length - 2 - tail.length;
  if (room >= 8) return `${head}: ${truncate(clean, room)}${tail}`;
  return truncate(`${head}: ${clean}`, TOOLTIP_MAX - tail.length) + tail;
}

/** Collapses newlines and runs of spaces (errors can span lines). */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Cuts to at most `max` UTF-16 units, ending in "…", never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let cut = text.slice(0, max - 1);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut.trimEnd() + '…';
}

export { formatBytes };

/** "just now", "5 min ago", "2 h ago", "3 d ago" (a clock skew into the future reads "just now"). */
export function formatAgo(then: number, now: number): string {
  const s = Math.max(0, now - then) / 1000;
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/** "in 45 min", "in 3 h", "in 2 d"; due or overdue → "due now". */
export function formatIn(at: number, now: number): string {
  const s = (at - now) / 1000;
  if (s <= 0) return 'due now';
  if (s < 3600) return `in ${Math.max(1, Math.ceil(s / 60))} min`;
  if (s < 86400) return `in ${Math.round(s / 3600)} h`;
  return `in ${Math.round(s / 86400)} d`;
}
