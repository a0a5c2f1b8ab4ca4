/**
 * `strata daemon`: the scheduler without the UI, for a NAS or a server. It logs one line per run
 * and per alert (to stdout, for the journal) and stops at a safe point on SIGINT/SIGTERM.
 */
import { describeError } from '../../shared/errors.js';
import { describeSchedule } from '../../shared/schedule.js';
import type { Engine } from '../engine/engine.js';
import { StrataService } from '../engine/service.js';
import { untilStopped } from './stop-signal.js';
import { onBatteryPower } from './power-source.js';
import { scheduleOptionsFromEnv } from './schedule-env.js';

export interface DaemonOptions {
  engine: Engine;
  log?: (line: string) => void;
}

export async function daemon(opts: DaemonOptions): Promise<void> {
  const e = opts.engine;
  const log = opts.log ?? ((l: string) => process.stdout.write(`${new Date().toISOString()} ${l}\n`));
  // Cloud destinations need secrets: ask for the vault passphrase now, at the terminal. Without
  // one, local destinations still run and cloud ones fail with a clear error in their runs.
  await e.secrets().catch((err: unknown) => log(`Note: secrets are not available (${describeError(err)})`));
  const service = new StrataService(e, {
    host: 'headless',
    onBattery: () => onBatteryPower(),
    ...scheduleOptionsFromEnv(),
  });
  const names = (ids: string[]): string => {
    const byId = new Map(e.catalog.listDestinations().map((d) => [d.id, d.name]));
    return ids.map((id) => byId.get(id) ?? id).join(', ');
  };
  service.subscribe((event, data) => {
    if (event === 'run.started') {
      const d = data as { runId: number; trigger: string; destinations: string[] };
      log(`run ${d.runId} started (${d.trigger}) to ${names(d.destinations)}`);
    }
    if (event === 'run.finished') {
      const d = data as { runId: number; status: string; error: string | null };
      log(`run ${d.runId} finished: ${d.status}${d.error ? ` (${d.error})` : ''}`);
    }
    if (event === 'alerts.changed') {
      const d = data as {
        opened: { destination: string; message: string }[];
        closed: { destination: string; kind: string }[];
      };
      for (const a of d.opened) log(`ALERT ${a.destination}: ${a.message}`);
      for (const a of d.closed) log(`resolved ${a.destination}: ${a.kind}`);
    }
  });
  service.startScheduler();
  const plans = e.catalog.listDestinations().map((d) => {
    const next = service.nextRunAt(d.id);
    return `${d.name}: ${describeSchedule(e.plans.get(d.id).schedule)}${next ? `, next ${new Date(next).toISOString()}` : ''}`;
  });
  log(
    `Strata daemon started (time zone ${e.timeZone})${e.settings.get().schedulesPaused ? '; schedules are PAUSED' : ''}`,
  );
  for (const p of plans) log(`  ${p}`);
  if (!plans.length) log('  no destinations yet: add one with strata dest add');

  await untilStopped(service, log);
  log('Strata daemon stopped.');
}
