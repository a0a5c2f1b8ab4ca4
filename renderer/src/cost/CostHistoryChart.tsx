/**
 * Stored bytes (bars) and the month's estimated cost (the figure above each bar), month by month,
 * as a small inline SVG. Screen readers get a one-sentence summary and the same figures as a
 * table; pointer users get a tooltip per bar. Colours come from the theme tokens.
 */
import { formatBytes } from '../format.js';
import { monthLabel, niceCeiling, type MonthPoint } from './cost-history.js';
import { formatMoney } from './money.js';

const SLOT = 46;
const BAR = 28;
const AXIS = 64;
const TOP = 22;
const PLOT = 110;
const BOTTOM = 36;

export function CostHistoryChart({ points, title }: { points: readonly MonthPoint[]; title: string }) {
  if (points.length === 0) return <p className="muted">No history yet: the chart fills in as backups run.</p>;
  const top = niceCeiling(Math.max(...points.map((p) => p.bytes)));
  const width = AXIS + points.length * SLOT + 8;
  const height = TOP + PLOT + BOTTOM;
  const y = (bytes: number) => TOP + PLOT - (bytes / top) * PLOT;

  return (
    <figure className="cost-chart">
      <svg
        role="img"
        aria-label={`${title}. ${summary(points)}`}
        // Natural size where there is room; scaled down (text too) in a narrow window rather than scrolled.
        style={{ maxWidth: width }}
        viewBox={`0 0 ${width} ${height}`}
      >
        {[0, 0.5, 1].map((f) => (
          <g key={f} className="cost-chart-grid">
            <line x1={AXIS - 4} x2={width - 4} y1={y(top * f)} y2={y(top * f)} />
            <text x={AXIS - 8} y={y(top * f)} dy="0.35em" textAnchor="end">
              {f === 0 ? '0' : formatBytes(top * f)}
            </text>
          </g>
        ))}
        {points.map((p, i) => {
          const x = AXIS + i * SLOT + (SLOT - BAR) / 2;
          const barTop = y(p.bytes);
          // The year under the first month and under each January.
          const withYear = i === 0 || p.month.endsWith('-01');
          return (
            <g key={p.month}>
              <title>{`${monthLabel(p.month, true)}: ${formatBytes(p.bytes)} stored, ${formatMoney(p.cost)} for the month`}</title>
              <rect
                className="cost-chart-bar"
                x={x}
                y={barTop}
                width={BAR}
                height={Math.max(TOP + PLOT - barTop, p.bytes > 0 ? 1 : 0)}
                rx={2}
              />
              <text className="cost-chart-cost" x={x + BAR / 2} y={barTop - 6} textAnchor="middle">
                {formatMoney(p.cost)}
              </text>
              <text className="cost-chart-month" x={x + BAR / 2} y={TOP + PLOT + 16} textAnchor="middle">
                {monthLabel(p.month)}
              </text>
              {withYear ? (
                <text className="cost-chart-year" x={x + BAR / 2} y={TOP + PLOT + 30} textAnchor="middle">
                  {p.month.slice(0, 4)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption className="cost-chart-legend">
        <span className="cost-chart-key" aria-hidden="true" /> Stored at the month’s end · figures: the month’s
        estimated cost
      </figcaption>
      <table className="visually-hidden">
        <caption>{title}, month by month</caption>
        <thead>
          <tr>
            <th scope="col">Month</th>
            <th scope="col">Stored</th>
            <th scope="col">Estimated cost</th>
          </tr>
        </thead>
        <tbody>
          {points.map((p) => (
            <tr key={p.month}>
              <th scope="row">{monthLabel(p.month, true)}</th>
              <td>{formatBytes(p.bytes)}</td>
              <td>{formatMoney(p.cost)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/** One sentence for screen readers: where the figures started and where they are now. */
function summary(points: readonly MonthPoint[]): string {
  const first = points[0]!;
  const last = points[points.length - 1]!;
  if (points.length === 1) {
    return `${monthLabel(first.month, true)}: ${formatBytes(first.bytes)} stored, ${formatMoney(first.cost)} for the month.`;
  }
  return (
    `From ${monthLabel(first.month, true)} to ${monthLabel(last.month, true)}, stored data went from ` +
    `${formatBytes(first.bytes)} to ${formatBytes(last.bytes)} and the monthly estimate from ` +
    `${formatMoney(first.cost)} to ${formatMoney(last.cost)}.`
  );
}
