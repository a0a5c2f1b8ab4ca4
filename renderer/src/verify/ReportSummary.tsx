/** The head of a verification report: how it checked, when, how it ended, and how much it covered. */
import type { VerifyReport } from '../../../shared/api/entities.js';
import { Pill, type Tone } from '../components/StatusPill.js';
import { formatBytes, formatCount, formatDateTime, formatRelative } from '../format.js';
import { modeWords, problemsWords } from './verify-words.js';

function resultWords(r: VerifyReport): { text: string; tone: Tone } {
  switch (r.status) {
    case 'ok':
      return { text: 'Intact', tone: 'ok' };
    case 'failed':
      return { text: problemsWords(r.problems.length), tone: 'err' };
    case 'error':
      return { text: 'Could not run', tone: 'err' };
    case 'cancelled':
      return { text: 'Cancelled', tone: 'idle' };
    case 'running':
      return { text: 'Running', tone: 'run' };
  }
}

export function ReportSummary({ report: r }: { report: VerifyReport }) {
  const at = r.finishedAt ?? r.startedAt;
  const result = resultWords(r);
  return (
    <dl className="stats verify-summary">
      <div className="stat-wide">
        <dt>Check</dt>
        <dd>{modeWords(r.mode, r.samplePercent)}</dd>
      </div>
      <div>
        <dt>When</dt>
        <dd>
          <time dateTime={new Date(at).toISOString()}>{formatDateTime(at)}</time>
          <span className="stat-extra muted">{formatRelative(at)}</span>
        </dd>
      </div>
      <div>
        <dt>Result</dt>
        <dd>
          <Pill tone={result.tone}>{result.text}</Pill>
        </dd>
      </div>
      <div>
        <dt>Snapshots</dt>
        <dd className="num">{formatCount(r.snapshots)}</dd>
      </div>
      <div>
        <dt>Versions checked</dt>
        <dd className="num">
          {formatCount(r.objects)}
          {r.mode === 'deep' ? (
            <span className="stat-extra">{formatCount(r.objectsRead)} downloaded and re-hashed</span>
          ) : null}
        </dd>
      </div>
      <div>
        <dt>Bytes read</dt>
        <dd className="num">{r.mode === 'quick' ? 'None (no download)' : formatBytes(r.bytesRead)}</dd>
      </div>
    </dl>
  );
}
