/**
 * The tray's context menu as a plain model (pure, testable), and its mapping to Electron's
 * menu template with click handlers the composition supplies.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { DestinationSummary } from '../../shared/api/entities.js';
import { currentRun, formatAgo, formatIn, runPercent, type TrayInput } from './tray-state.js';

/** The ids that do something when clicked. */
export const TRAY_ACTIONS = [
  'backup-now',
  'cancel-backup',
  'pause-schedules',
  'resume-schedules',
  'open',
  'quit',
] as const;
export type TrayAction = (typeof TRAY_ACTIONS)[number];

export interface TrayMenuItem {
  /** A TrayAction, `dest:<id>` for a destination line, `info:…` or `sep-<n>`. */
  id: string;
  label: string;
  enabled: boolean;
  type?: 'separator' | 'normal';
}

export type TrayHandlers = Record<TrayAction, () => void>;

export function trayMenu(input: TrayInput): TrayMenuItem[] {
  const active = currentRun(input);
  const dashboard = input.dashboard;
  const items: TrayMenuItem[] = [];

  if (active) {
    const pct = runPercent(active);
    const label = active.cancelling ? 'Cancelling backup…' : pct === null ? 'Backing up…' : `Backing up… ${pct}%`;
    items.push(item('backup-now', label, false));
    items.push(item('cancel-backup', 'Cancel backup', !active.cancelling));
  } else {
    // Nothing to back up to yet: the button would only answer with an error.
    const canRun = dashboard === null || dashboard.destinations.length > 0;
    items.push(item('backup-now', 'Back up now', canRun));
  }
  items.push(
    input.paused
      ? item('resume-schedules', 'Resume schedules', true)
      : item('pause-schedules', 'Pause schedules', true),
  );
  items.push(item('open', 'Open Strata', true));

  if (dashboard) {
    items.push(separator(1));
    if (!input.paused && input.nextRunAt !== null && !active) {
      items.push(item('info:next-run', `Next run ${formatIn(input.nextRunAt, input.now)}`, false));
    }
    if (dashboard.destinations.length === 0) items.push(item('info:no-destinations', 'No destinations yet', false));
    for (const d of dashboard.destinations) {
      const running = active !== null && active.destinations.includes(d.id);
      items.push(item(`dest:${d.id}`, destinationLine(d, input.now, running), false));
    }
  }

  items.push(separator(2));
  items.push(item('quit', 'Quit Strata', true));
  return items;
}

/** "b2: last backup 5 min ago" / "b2: never backed up" / "b2: failed 2 h ago" / "b2: backing up…". */
export function destinationLine(d: DestinationSummary, now: number, running = false): string {
  if (running) return `${d.name}: backing up…`;
  if (d.lastStatus === 'failed' && d.lastRunAt !== null) return `${d.name}: failed ${formatAgo(d.lastRunAt, now)}`;
  if (d.lastStatus === 'partial' && d.lastRunAt !== null) {
    return `${d.name}: partly failed ${formatAgo(d.lastRunAt, now)}`;
  }
  if (d.lastSuccessAt !== null) return `${d.name}: last backup ${formatAgo(d.lastSuccessAt, now)}`;
  return `${d.name}: never backed up`;
}

/** Electron's template: action ids get their click handler; everything else is inert. */
export function toElectronTemplate(
  model: readonly TrayMenuItem[],
  handlers: TrayHandlers,
): MenuItemConstructorOptions[] {
  return model.map((m): MenuItemConstructorOptions => {
    if (m.type === 'separator') return { id: m.id, type: 'separator' };
    const out: MenuItemConstructorOptions = { id: m.id, label: m.label, enabled: m.enabled, type: 'normal' };
    if (isAction(m.id)) {
      const handler = handlers[m.id];
      out.click = () => handler();
    }
    return out;
  });
}

export function isAction(id: string): id is TrayAction {
  return (TRAY_ACTIONS as readonly string[]).includes(id);
}

function item(id: string, label: string, enabled: boolean): TrayMenuItem {
  return { id, label, enabled, type: 'normal' };
}

function separator(n: number): TrayMenuItem {
  return { id: `sep-${n}`, label: '', enabled: true, type: 'separator' };
}
