/**
 * "What it would cost": every provider and storage class priced for the edited destination's data
 * (what it stores, or for a new one what the sources back up today), cheapest first, with the
 * draft's own choice highlighted, so a provider is chosen knowing the bill.
 */
import { useId } from 'react';
import type { CostComparison } from '../../../shared/api/cost.js';
import type { ProviderId } from '../../../shared/providers.js';
import { formatMoney, formatMonthly } from '../cost/money.js';
import { errorWords } from '../components/errors.js';
import { formatBytes, plural } from '../format.js';
import { useComparison } from './useComparison.js';
import './comparison.css';

type Row = CostComparison['rows'][number];

/** Rows that always cost nothing (your own disk or server): never the useful "cheapest". */
const OWN_HARDWARE = new Set<Row['provider']>(['local', 'self-hosted']);

interface Props {
  /** The saved destination being edited; none for a new one. */
  destination?: string | undefined;
  provider: ProviderId;
  storageClass: string;
}

export function ProviderComparison({ destination, provider, storageClass }: Props) {
  const id = useId();
  const { result, loading, error, retry } = useComparison(destination, provider, storageClass);
  // Nothing to price yet (no source backs anything up): the table would be all zeros.
  if (result && result.basis.bytes === 0 && result.basis.objects === 0) return null;
  if (!result && !error) return null;

  const rows = result ? [...result.rows].sort((a, b) => a.monthly - b.monthly || a.restore - b.restore) : [];
  const cheapest = rows.find((r) => !OWN_HARDWARE.has(r.provider));
  return (
    <section className="cost-compare" aria-labelledby={`${id}-title`} aria-busy={loading || undefined}>
      <div className="cost-compare-head">
        <h3 id={`${id}-title`} className="cost-compare-title">
          What it would cost
        </h3>
        {loading ? <span className="cost-compare-spinner" role="status" aria-label="Pricing" /> : null}
      </div>
      {error ? (
        <p className="cost-compare-error" role="alert">
          Could not compare prices: {errorWords(error).message}{' '}
          <button type="button" className="btn btn-ghost btn-sm" onClick={retry}>
            Try again
          </button>
        </p>
      ) : null}
      {result ? (
        <>
          <p className="cost-compare-basis">
            For {formatBytes(result.basis.bytes)} in {plural(result.basis.objects, 'object')}: {result.basis.label}.
          </p>
          <table className="results cost-compare-table" data-stale={loading || undefined}>
            <caption className="visually-hidden">
              Monthly and restore cost of each provider for {result.basis.label}
            </caption>
            <thead>
              <tr>
                <th scope="col">Provider and class</th>
                <th scope="col" className="num">
                  Monthly
                </th>
                <th scope="col" className="num">
                  Restore all once
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr
                  key={r.priceId}
                  data-price-id={r.priceId}
                  data-current={r.current || undefined}
                  aria-current={r.current || undefined}
                >
                  <th scope="row">
                    <div className="cost-compare-name">
                      <span className="cost-compare-provider">{r.name}</span>
                      {r.current ? (
                        <span className="tag cost-compare-tag-current">
                          {destination ? 'This destination' : 'Your choice'}
                        </span>
                      ) : null}
                      {r === cheapest ? <span className="tag tag-ok">Cheapest</span> : null}
                      {r.notes.length > 0 ? <small className="cost-compare-notes">{r.notes.join(' · ')}</small> : null}
                    </div>
                  </th>
                  <td className="num nowrap">{formatMonthly(r.monthly)}</td>
                  <td className="num nowrap">{r.restore === 0 ? 'Free' : formatMoney(r.restore)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="cost-compare-foot">
            Storage and requests at list prices with your overrides (Settings); egress of a restore after free
            allowances.
          </p>
        </>
      ) : null}
    </section>
  );
}
