/**
 * The card's "Verification" line: how the latest check ended ("Quick check 2 hours ago: intact"),
 * or "Never verified", and below it when the destination is checked on its own.
 */
import type { DestinationSummary } from '../../../shared/api/entities.js';
import { formatDateTime, formatRelative, sentence } from '../format.js';
import { checkName, outcomeWords } from './verify-words.js';

export function VerificationStat({ summary: d }: { summary: DestinationSummary }) {
  const last = d.lastVerification;
  const outcome = last ? outcomeWords(last) : null;
  return (
    <div className="stat-wide">
      <dt>Verification</dt>
      <dd>
        {last && outcome ? (
          <span className={outcome.tone === 'err' ? 'err-text' : undefined}>
            {checkName(last.mode)}{' '}
            <time dateTime={new Date(last.at).toISOString()} title={formatDateTime(last.at)}>
              {formatRelative(last.at)}
            </time>
            : {outcome.text}
          </span>
        ) : (
          'Never verified'
        )}
        {d.verifySummary ? <span className="stat-extra">{sentence(d.verifySummary)}</span> : null}
      </dd>
    </div>
  );
}
