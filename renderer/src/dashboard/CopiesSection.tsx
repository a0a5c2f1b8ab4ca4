/**
 * The 3-2-1 view from `coverage.get`: per source folder with a policy, how many destinations hold a
 * current copy, how many of those are off this computer, and which are behind. A folder with fewer
 * than two current copies says so in words, not only in colour.
 */
import { useCallback, useEffect, useState } from 'react';
import type { CopyCoverage } from '../../../shared/api/entities.js';
import { api } from '../api/client.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Pill, type Tone } from '../components/StatusPill.js';

/** What a folder's copies amount to, in the 3-2-1 rule's terms (the original is the third copy). */
export function coverageVerdict(c: CopyCoverage): { text: string; tone: Tone; short: boolean } {
  if (c.current.length === 0) return { text: 'No current copy', tone: 'err', short: true };
  if (c.current.length === 1) return { text: 'Only one current copy', tone: 'warn', short: true };
  if (c.offsite.length === 0) return { text: 'No copy off this computer', tone: 'warn', short: false };
  return { text: 'Meets 3-2-1', tone: 'ok', short: false };
}

/** Reloads whenever `revision` moves (the dashboard passes its change counter). */
export function CopiesSection({ revision }: { revision: number }) {
  const [rows, setRows] = useState<CopyCoverage[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(async () => {
    try {
      setRows(await api().call('coverage.get', {}));
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load, revision]);

  if (!error && (!rows || rows.length === 0)) return null;
  return (
    <section className="panel copies" aria-labelledby="copies-heading">
      <div>
        <h2 id="copies-heading">Copies</h2>
        <p className="muted">
          The 3-2-1 rule: besides your own files, at least two current backups, one of them away from this computer.
        </p>
      </div>
      <ErrorBanner error={error} title="Could not load the copies" onRetry={() => void load()} />
      {rows && rows.length > 0 ? (
        <table className="results coverage">
          <caption className="visually-hidden">Current copies of each folder</caption>
          <thead>
            <tr>
              <th scope="col">Folder</th>
              <th scope="col">Current copies</th>
              <th scope="col">Off this computer</th>
              <th scope="col">Behind</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => {
              const verdict = coverageVerdict(c);
              return (
                <tr key={`${c.source}/${c.folder}`} className={verdict.short ? 'coverage-short' : undefined}>
                  <th scope="row" className="mono coverage-folder">
                    {c.folder ? `${c.source}/${c.folder}` : c.source}
                  </th>
                  <td>
                    {c.current.length}
                    {c.current.length ? <span className="muted"> ({c.current.join(', ')})</span> : null}
                  </td>
                  <td>{c.offsite.length}</td>
                  <td>{c.behind.length ? c.behind.join(', ') : <span className="muted">None</span>}</td>
                  <td>
                    <Pill tone={verdict.tone}>{verdict.text}</Pill>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
