/**
 * The dashboard's cost panel: the estimated monthly total of every destination, what each adds,
 * the price table's date with the way to change it, and the stored-bytes-and-cost chart (all
 * destinations added up, or one of them).
 */
import { useId, useState } from 'react';
import type { CostOverview } from '../../../shared/api/cost.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { useRoute } from '../store/route.js';
import { combinedHistory } from './cost-history.js';
import { CostHistoryChart } from './CostHistoryChart.js';
import { formatMonthly } from './money.js';

const ALL = '';

interface Props {
  overview: CostOverview | null;
  error: unknown;
  onRetry: () => void;
}

export function CostTotal({ overview, error, onRetry }: Props) {
  const id = useId();
  const go = useRoute((s) => s.go);
  const [chartOf, setChartOf] = useState(ALL);
  const destinations = overview?.destinations ?? [];
  // A destination removed since it was picked: back to all of them.
  const picked = destinations.some((d) => d.destination === chartOf) ? chartOf : ALL;
  const shown = picked === ALL ? destinations : destinations.filter((d) => d.destination === picked);

  return (
    <section className="panel cost-total" aria-labelledby={`${id}-heading`}>
      <ErrorBanner error={error} title="Could not estimate the costs" onRetry={onRetry} />
      <div className="cost-total-body">
        <div className="cost-total-figures">
          <h2 id={`${id}-heading`}>Estimated monthly cost</h2>
          {overview ? (
            <>
              <p className="cost-total-amount num">{formatMonthly(overview.total)}</p>
              <ul className="cost-total-list" aria-label="Per destination">
                {destinations.map((d) => (
                  <li key={d.destination}>
                    <span className="cost-total-name">{d.destination}</span>
                    <span className="num">{formatMonthly(d.monthly.total)}</span>
                  </li>
                ))}
              </ul>
              <p className="muted cost-total-note">
                Prices as of {overview.tableDate},{' '}
                <button type="button" className="link-button" onClick={() => go('settings')}>
                  change them in Settings
                </button>
                .
              </p>
            </>
          ) : error ? null : (
            <p className="muted">Estimating…</p>
          )}
        </div>
        {overview && destinations.length > 0 ? (
          <div className="cost-total-chart">
            <div className="cost-chart-head">
              <h3>Stored and cost by month</h3>
              {destinations.length > 1 ? (
                <select
                  className="input input-medium"
                  aria-label="Chart of"
                  value={picked}
                  onChange={(e) => setChartOf(e.target.value)}
                >
                  <option value={ALL}>All destinations</option>
                  {destinations.map((d) => (
                    <option key={d.destination} value={d.destination}>
                      {d.destination}
                    </option>
                  ))}
                </select>
              ) : null}
            </div>
            <CostHistoryChart
              points={combinedHistory(shown)}
              title={`Stored data and estimated cost by month, ${picked === ALL ? 'all destinations' : picked}`}
            />
          </div>
        ) : null}
      </div>
    </section>
  );
}
