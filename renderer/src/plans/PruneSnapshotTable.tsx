/** A prune preview's snapshots, newest first: when, which folder, how big, and keep or remove with the reasons. */
import { useId } from 'react';
import type { PrunePreview } from '../../../shared/api/entities.js';
import { Pill } from '../components/StatusPill.js';
import { formatBytes, formatDateTime, plural } from '../format.js';

export function PruneSnapshotTable({ preview }: { preview: PrunePreview }) {
  const id = useId();
  return (
    <div
      className="prune-table"
      // Scrolls when long: focusable so the keyboard can scroll it too.
      tabIndex={0}
      role="region"
      aria-labelledby={`${id}-caption`}
    >
      <table className="results">
        <caption id={`${id}-caption`} className="visually-hidden">
          Snapshots on {preview.destination}
        </caption>
        <thead>
          <tr>
            <th scope="col">Taken</th>
            <th scope="col">Source</th>
            <th scope="col" className="num">
              Size
            </th>
            <th scope="col">Decision</th>
          </tr>
        </thead>
        <tbody>
          {preview.snapshots.map((s) => (
            <tr key={s.snapshotId} className={s.keep ? undefined : 'prune-remove'}>
              <td className="nowrap">
                <time dateTime={new Date(s.time).toISOString()}>{formatDateTime(s.time)}</time>
              </td>
              <td>{s.sourceName}</td>
              <td className="num nowrap">
                {formatBytes(s.bytes)} · {plural(s.files, 'file')}
              </td>
              <td>
                <Pill tone={s.keep ? 'ok' : 'warn'}>{s.keep ? 'Keep' : 'Remove'}</Pill>
                {s.reasons.length ? <span className="prune-reasons">{s.reasons.join(', ')}</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
