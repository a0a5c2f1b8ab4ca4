/**
 * Which desktop notifications a finished backup deserves. Pure decisions over an injected
 * `show(title, body)` and clock:
 * - failed / partly failed → notify (setting onFailure, on by default), naming the first
 *   failing destination and its error from the dashboard;
 * - the same failure again on the next runs → not again for 6 hours; a different failure → at once;
 * - first success after a notified failure → "Backups are working again", once;
 * - other successes → only with onSuccess; cancelled or interrupted runs → nothing.
 */
import type { EventOf } from '../../shared/api/contract.js';
import type { Dashboard, DestinationSummary } from '../../shared/api/entities.js';
import { isFailure, oneLine, truncate } from './tray-state.js';

export interface NotificationSettings {
  onFailure: boolean;
  onSuccess: boolean;
}

export const DEFAULT_NOTIFICATION_SETTINGS: NotificationSettings = { onFailure: true, onSuccess: false };

/** How long the same failure stays quiet. */
export const REPEAT_AFTER_MS = 6 * 60 * 60 * 1000;

/** Keeps bodies readable in every OS's notification centre. */
export const BODY_MAX = 240;

export type RunFinished = EventOf<'run.finished'>;
export type AlertsChanged = EventOf<'alerts.changed'>;
export type RunStarted = EventOf<'run.started'>;

export interface Notice {
  kind: 'failure' | 'partial' | 'success' | 'recovered' | 'alert';
  title: string;
  body: string;
}

export interface NotifierOptions {
  show: (title: string, body: string) => void;
  settings?: Partial<NotificationSettings>;
  /** Epoch ms; Date.now by default. */
  now?: () => number;
  repeatAfterMs?: number;
}

export class Notifier {
  private settings: NotificationSettings;
  private readonly show: (title: string, body: string) => void;
  private readonly now: () => number;
  private readonly repeatAfterMs: number;
  /** The failure last shown: what it was and when. Null once things work again. */
  private shown: { key: string; at: number } | null = null;
  /** Destination ids taking part, by run id (from run.started), to name the right failure. */
  private readonly participants = new Map<number, string[]>();

  constructor(options: NotifierOptions) {
    this.show = options.show;
    this.settings = { ...DEFAULT_NOTIFICATION_SETTINGS, ...options.settings };
    this.now = options.now ?? Date.now;
    this.repeatAfterMs = options.repeatAfterMs ?? REPEAT_AFTER_MS;
  }

  setSettings(patch: Partial<NotificationSettings>): void {
    this.settings = { ...this.settings, ...patch };
  }

  getSettings(): NotificationSettings {
    return { ...this.settings };
  }

  /** Alerts that just opened: always told (they are why someone installs a backup app's tray icon). */
  onAlertsChanged(event: AlertsChanged): Notice | null {
    const opened = event.opened;
    if (!opened.length) return null;
    const notice: Notice =
      opened.length === 1
        ? {
            kind: 'alert',
            title: `Strata alert: ${opened[0]!.destination}`,
            body: truncate(opened[0]!.message, BODY_MAX),
          }
        : {
            kind: 'alert',
            title: `Strata: ${opened.length} alerts`,
            body: truncate(opened.map((a) => `${a.destination}: ${a.message}`).join('; '), BODY_MAX),
          };
    this.show(notice.title, notice.body);
    return notice;
  }

  /** Optional: remembers which destinations a run covers, so its failure is told, not an older one. */
  onRunStarted(event: RunStarted): void {
    this.participants.set(event.runId, event.destinations);
    // Only the latest few matter; keep the map from growing over a long session.
    if (this.participants.size > 16) {
      const oldest = this.participants.keys().next().value;
      if (oldest !== undefined) this.participants.delete(oldest);
    }
  }

  /**
   * Decides and shows (at most one notification). `dashboard` is the one loaded after the run
   * finished, for destination names and errors; null falls back to the event's error.
   * Returns what was shown, or null.
   */
  onRunFinished(event: RunFinished, dashboard: Dashboard | null): Notice | null {
    const ids = this.participants.get(event.runId);
    this.participants.delete(event.runId);
    const notice = this.decide(event, dashboard, ids);
    if (notice) this.show(notice.title, notice.body);
    return notice;
  }

  private decide(event: RunFinished, dashboard: Dashboard | null, ids: string[] | undefined): Notice | null {
    const { status } = event;
    if (status === 'failed' || status === 'partial') return this.failure(event, dashboard, ids);
    if (status !== 'ok') return null; // cancelled, interrupted: the user knows, or the next run will tell

    // A run of some destinations succeeding does not mean another one that failed earlier works again.
    const stillFailing = dashboard ? dashboard.destinations.some((d) => isFailure(d.lastStatus)) : false;
    if (this.shown && !stillFailing) {
      this.shown = null;
      if (this.settings.onFailure || this.settings.onSuccess) {
        return { kind: 'recovered', title: 'Backups are working again', body: successBody(dashboard, ids) };
      }
      return null;
    }
    if (!this.settings.onSuccess) return null;
    return { kind: 'success', title: 'Backup finished', body: successBody(dashboard, ids) };
  }

  private failure(event: RunFinished, dashboard: Dashboard | null, ids: string[] | undefined): Notice | null {
    if (!this.settings.onFailure) return null;
    const failing = failuresOf(dashboard, ids);
    const key = failureKey(event, failing);
    const now = this.now();
    if (this.shown && this.shown.key === key && now - this.shown.at < this.repeatAfterMs) return null;
    this.shown = { key, at: now };
    const partial = event.status === 'partial';
    return {
      kind: partial ? 'partial' : 'failure',
      title: partial ? 'Backup partly failed' : 'Backup failed',
      body: failureBody(event, failing),
    };
  }
}

/** The failing destinations of this run (all failing ones when the participants are unknown). */
function failuresOf(dashboard: Dashboard | null, ids: string[] | undefined): DestinationSummary[] {
  if (!dashboard) return [];
  const failing = dashboard.destinations.filter((d) => isFailure(d.lastStatus));
  if (!ids) return failing;
  const ours = failing.filter((d) => ids.includes(d.id) || ids.includes(d.name));
  return ours.length ? ours : failing;
}

/**
 * What makes two failures "the same": the status and each failing destination with its reason.
 * Digits are ignored so "3 file(s) could not be backed up" then "5 file(s)…" count as one failure.
 */
export function failureKey(event: RunFinished, failing: readonly DestinationSummary[]): string {
  const norm = (s: string | null): string =>
    oneLine(s ?? '')
      .toLowerCase()
      .replace(/\d+/g, '#');
  const parts = failing.length
    ? failing.map((d) => `${d.id}=${d.lastStatus}:${norm(d.lastError)}`).sort()
    : [`run=${event.status}:${norm(event.error)}`];
  return parts.join('|');
}

function failureBody(event: RunFinished, failing: readonly DestinationSummary[]): string {
  const first = failing[0];
  const more =
    failing.length > 1 ? ` (and ${failing.length - 1} other destination${failing.length > 2 ? 's' : ''})` : '';
  let body: string;
  if (first) {
    const reason = first.lastError ?? event.error;
    body = reason ? `${first.name}: ${oneLine(reason)}` : `${first.name} could not be backed up`;
  } else {
    body = event.error ? oneLine(event.error) : 'Open Strata to see what went wrong.';
  }
  return truncate(body, BODY_MAX - more.length) + more;
}

function successBody(dashboard: Dashboard | null, ids: string[] | undefined): string {
  const names = dashboard
    ? dashboard.destinations.filter((d) => !ids || ids.includes(d.id) || ids.includes(d.name)).map((d) => d.name)
    : [];
  if (names.length === 0) return 'The last backup finished without errors.';
  return truncate(`Backed up to ${names.join(', ')}.`, BODY_MAX);
}
