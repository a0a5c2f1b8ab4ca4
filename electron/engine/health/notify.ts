/**
 * Alerts and the webhook, for every host alike: whoever re-evaluates the alerts (the app's
 * service, `strata daemon`, `strata backup`, `strata status`) also tells the webhook, so an
 * alert is announced once, by the first one to see it.
 */
import { hostname } from 'node:os';
import type { AlertInfo } from '../../../shared/api/entities.js';
import { describeError } from '../../../shared/errors.js';
import type { Engine } from '../engine.js';
import type { AlertRecord } from '../store/alert-store.js';
import { WEBHOOK_SECRET } from '../store/settings-store.js';
import { alertMessages, post, runMessage, type RunSummary, type WebhookMessage, type WebhookStyle } from './webhook.js';

export interface AlertChange {
  opened: AlertInfo[];
  closed: AlertInfo[];
}

export function alertInfos(engine: Engine, list: AlertRecord[]): AlertInfo[] {
  const names = new Map(engine.catalog.listDestinations().map((d) => [d.id, d.name]));
  return list.map((a) => ({
    id: a.id,
    destination: names.get(a.destId) ?? a.destId,
    kind: a.kind,
    message: a.message,
    openedAt: a.openedAt,
    closedAt: a.closedAt,
  }));
}

/** Re-evaluates alerts now; the webhook hears about what changed (it is not waited for). */
export function reconcileAlerts(engine: Engine): { change: AlertChange; sent: Promise<void> } {
  const { opened, closed } = engine.checkAlerts();
  const change = { opened: alertInfos(engine, opened), closed: alertInfos(engine, closed) };
  const sent =
    opened.length || closed.length
      ? sendWebhook(engine, (url, style) => alertMessages(url, style, hostname(), change))
      : Promise.resolve();
  return { change, sent };
}

/** The healthchecks-style ping after a run. */
export function announceRun(engine: Engine, run: RunSummary): Promise<void> {
  return sendWebhook(engine, (url, style) => {
    const m = runMessage(url, style, hostname(), run);
    return m ? [m] : [];
  });
}

/** Posts what `make` builds for the saved webhook; problems go to the log, never to the caller. */
export async function sendWebhook(
  engine: Engine,
  make: (url: string, style: WebhookStyle) => WebhookMessage[],
): Promise<void> {
  const s = engine.settings.get();
  if (!s.webhookConfigured) return;
  let url: string | undefined;
  try {
    url = await (await engine.secrets()).get(WEBHOOK_SECRET);
  } catch (err) {
    engine.runs.log(null, 'warn', `the webhook was not called: its URL cannot be read (${describeError(err)})`);
    return;
  }
  if (!url) return;
  for (const m of make(url, s.webhookStyle)) {
    const problem = await post(m);
    if (problem) engine.runs.log(null, 'warn', problem);
  }
}
