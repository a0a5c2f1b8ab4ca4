/** The open alerts at the top of the dashboard, oldest first: which destination, what, and since when. */
import type { AlertInfo } from '../../../shared/api/entities.js';
import { Pill } from '../components/StatusPill.js';
import { formatDateTime, formatRelative, sentence } from '../format.js';

export const ALERT_KIND_WORDS: Record<AlertInfo['kind'], string> = {
  failures: 'Backups failing',
  stale: 'No recent backup',
  'verify-failed': 'Verification failed',
  growth: 'Unusual growth',
};

export function AlertsRegion({ alerts }: { alerts: AlertInfo[] }) {
  if (alerts.length === 0) return null;
  return (
    <section className="alerts" aria-labelledby="alerts-heading">
      <h2 id="alerts-heading">Alerts</h2>
      <ul className="alert-list">
        {alerts.map((a) => (
          <li key={a.id} className={`alert alert-${a.kind === 'growth' ? 'warn' : 'err'}`}>
            <p className="alert-head">
              <Pill tone={a.kind === 'growth' ? 'warn' : 'err'}>{ALERT_KIND_WORDS[a.kind]}</Pill>
              <strong>{a.destination}</strong>
              <span className="alert-since muted">
                opened{' '}
                <time dateTime={new Date(a.openedAt).toISOString()} title={formatDateTime(a.openedAt)}>
                  {formatRelative(a.openedAt)}
                </time>
              </span>
            </p>
            <p className="alert-message">{sentence(a.message)}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}
