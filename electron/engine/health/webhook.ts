/**
 * Optional webhook. 'chat' posts JSON with `text` and `content` (what Slack, Mattermost, Discord,
 * Google Chat and ntfy-style endpoints read) when alerts open or close; 'healthchecks' pings after
 * every run, to `<url>/fail` when it failed, so Healthchecks.io-style monitors see silence too.
 * A webhook never fails a backup: errors come back as text for the log.
 */
import type { AlertInfo } from '../../../shared/api/entities.js';
import { describeError } from '../../../shared/errors.js';

export type WebhookStyle = 'chat' | 'healthchecks';

export interface RunSummary {
  runId: number;
  trigger: string;
  status: string;
  error: string | null;
  destinations: string[];
}

export interface WebhookMessage {
  url: string;
  body: Record<string, unknown>;
}

export function alertMessages(
  url: string,
  style: WebhookStyle,
  host: string,
  change: { opened: AlertInfo[]; closed: AlertInfo[] },
): WebhookMessage[] {
  if (style !== 'chat') return [];
  const one = (a: AlertInfo, event: 'alert.opened' | 'alert.closed'): WebhookMessage => {
    const text =
      event === 'alert.opened'
        ? `Strata on ${host}: ${a.destination}: ${a.message}`
        : `Strata on ${host}: ${a.destination} is fine again (${a.kind} cleared)`;
    return {
      url,
      body: {
        text,
        content: text,
        event,
        host,
        destination: a.destination,
        kind: a.kind,
        message: a.message,
        time: Date.now(),
      },
    };
  };
  return [...change.opened.map((a) => one(a, 'alert.opened')), ...change.closed.map((a) => one(a, 'alert.closed'))];
}

export function runMessage(url: string, style: WebhookStyle, host: string, run: RunSummary): WebhookMessage | null {
  if (style !== 'healthchecks') return null;
  const failed = run.status === 'failed' || run.status === 'interrupted';
  const text = `Strata on ${host}: run ${run.runId} (${run.trigger}) ${run.status}${run.error ? `: ${run.error}` : ''}`;
  return {
    url: failed ? `${url.replace(/\/+$/, '')}/fail` : url,
    body: { text, event: 'run.finished', host, ...run, time: Date.now() },
  };
}

/** Posts, with a timeout; answers null on success, else what went wrong (without the URL: it is a secret). */
export async function post(message: WebhookMessage, timeoutMs = 10_000): Promise<string | null> {
  try {
    const res = await fetch(message.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Strata' },
      body: JSON.stringify(message.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    return res.ok ? null : `the webhook answered HTTP ${res.status}`;
  } catch (err) {
    const text = describeError(err).split(message.url).join('<webhook URL>');
    return `the webhook could not be reached (${text})`;
  }
}
