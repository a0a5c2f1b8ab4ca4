/**
 * What the restore costs at the destination's provider (from `restore.preview`): the total, the
 * parts of it (egress, requests, retrieval, free allowances) and warnings such as archive thaw times.
 */
import type { CostEstimate } from '../../../shared/api/cost.js';
import { formatMoney } from '../cost/money.js';

export function RestoreCost({ cost }: { cost: CostEstimate }) {
  const free = cost.total === 0;
  return (
    <div className="restore-cost">
      <p className="restore-cost-total">
        <strong>{free ? 'Free' : formatMoney(cost.total)}</strong>
        <span className="muted">
          {free
            ? ` at ${cost.priceName} prices: nothing to pay for reading it back`
            : ` once, at ${cost.priceName} prices`}
        </span>
      </p>
      {cost.lines.length > 0 ? (
        <ul className="restore-cost-lines" aria-label="What the cost is made of">
          {cost.lines.map((l, i) => (
            <li key={`${l.kind}-${i}`} data-kind={l.kind}>
              <span>{l.label}</span>
              <span className="restore-cost-amount">{formatMoney(l.amount)}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {cost.warnings.length > 0 ? (
        <ul className="restore-cost-warnings">
          {cost.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
