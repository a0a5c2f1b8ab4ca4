/**
 * What one destination's monthly estimate is made of: each line with its amount, what is stored
 * (counted or carried forward from runs), the month's traffic, warnings, the price row and its
 * date, and "Count now" to list the destination for exact figures.
 */
import type { DestinationCost } from '../../../shared/api/cost.js';
import { errorWords } from '../components/errors.js';
import { activityParts, usageWords } from './cost-words.js';
import { formatMoney, formatMonthly } from './money.js';

interface Props {
  cost: DestinationCost;
  tableDate: string;
  counting: boolean;
  countError: unknown;
  onCount: () => void;
}

export function CostBreakdown({ cost, tableDate, counting, countError, onCount }: Props) {
  const { monthly, usage } = cost;
  const activity = activityParts(cost.activity);
  return (
    <div className="cost-breakdown">
      <p className="cost-breakdown-head">
        <strong className="num">{monthly.total === 0 ? 'Free' : `≈ ${formatMonthly(monthly.total)}`}</strong>
        <span className="muted">
          {monthly.priceName} · prices as of {tableDate}
        </span>
      </p>

      {monthly.lines.length > 0 ? (
        <table className="cost-lines">
          <caption className="visually-hidden">Monthly cost of {cost.destination}, line by line</caption>
          <tbody>
            {monthly.lines.map((line, i) => (
              <tr key={`${line.kind}-${i}`} className={line.amount < 0 ? 'cost-line-credit' : undefined}>
                <th scope="row">{line.label}</th>
                <td className="num">{formatMoney(line.amount)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Total per month</th>
              <td className="num">{formatMoney(monthly.total)}</td>
            </tr>
          </tfoot>
        </table>
      ) : null}

      <dl className="cost-facts">
        <div>
          <dt>Stored</dt>
          <dd className="num">{usageWords(usage)}</dd>
        </div>
        <div>
          <dt>Each month</dt>
          <dd className="num">
            {activity.length > 0
              ? activity.join(' · ')
              : usage.at === null
                ? 'Nothing yet'
                : 'None since the first full backup'}
          </dd>
        </div>
      </dl>

      {monthly.warnings.length > 0 ? (
        <ul className="cost-warnings" aria-label="Cost warnings">
          {monthly.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      ) : null}

      <div className="cost-count">
        {/* Not disabled while busy: a disabled button drops keyboard focus, and the popover with it. */}
        <button
          type="button"
          className="btn btn-secondary btn-sm"
          aria-busy={counting || undefined}
          aria-disabled={counting || undefined}
          onClick={() => {
            if (!counting) onCount();
          }}
        >
          {counting ? 'Counting…' : 'Count now'}
        </button>
        <span className="muted cost-count-help" role="status">
          {counting ? 'Listing every object on the destination…' : 'Lists the destination for exact figures.'}
        </span>
      </div>
      {countError ? <p className="field-problem">Could not count: {errorWords(countError).message}</p> : null}
    </div>
  );
}
