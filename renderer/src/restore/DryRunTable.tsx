/** The dry run, file by file: what the restore would do with each (the first thousand), with the counts. */
import { useId } from 'react';
import type { RestoreAction, RestorePreview } from '../../../shared/api/entities.js';
import { Pill, type Tone } from '../components/StatusPill.js';
import { formatBytes, formatCount, plural } from '../format.js';

const ACTIONS: Record<RestoreAction, { text: string; tone: Tone }> = {
  write: { text: 'Write', tone: 'ok' },
  identical: { text: 'Already there', tone: 'idle' },
  skip: { text: 'Skip (exists)', tone: 'warn' },
  overwrite: { text: 'Overwrite', tone: 'err' },
  'keep-both': { text: 'Keep both', tone: 'run' },
};

/** Rows drawn: enough to see what happens; the counts above cover every file. */
const SHOWN = 300;

export function DryRunCounts({ p }: { p: RestorePreview }) {
  const c = p.counts;
  const parts = [
    c.write ? `${formatCount(c.write)} written` : '',
    c.overwrite ? `${formatCount(c.overwrite)} overwritten` : '',
    c.keepBoth ? `${formatCount(c.keepBoth)} kept beside the existing file` : '',
    c.skip ? `${formatCount(c.skip)} skipped (a different file is there)` : '',
    c.identical ? `${formatCount(c.identical)} already there` : '',
  ].filter(Boolean);
  return (
    <p className="dry-counts">
      {plural(p.files, 'file')}: {parts.length ? parts.join(', ') : 'nothing to do'}.
    </p>
  );
}

export function DryRunTable({ p }: { p: RestorePreview }) {
  const id = useId();
  const rows = p.items.slice(0, SHOWN);
  return (
    <div className="prune-table dry-table" tabIndex={0} role="region" aria-labelledby={`${id}-caption`}>
      <table className="results">
        <caption id={`${id}-caption`} className="visually-hidden">
          What the restore would do with each file
        </caption>
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col" className="num">
              Size
            </th>
            <th scope="col">Would</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((item) => (
            <tr key={item.path} data-action={item.action}>
              <td className="dry-path">
                <bdi>{item.path}</bdi>
                {item.renamedTo ? <span className="dry-renamed"> → {item.renamedTo}</span> : null}
              </td>
              <td className="num nowrap">{formatBytes(item.size)}</td>
              <td>
                <Pill tone={ACTIONS[item.action].tone}>{ACTIONS[item.action].text}</Pill>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {p.files > rows.length ? (
        <p className="muted dry-more">
          The first {formatCount(rows.length)} of {plural(p.files, 'file')}; the counts above cover all of them.
        </p>
      ) : null}
    </div>
  );
}
