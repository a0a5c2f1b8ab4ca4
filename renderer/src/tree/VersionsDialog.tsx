/**
 * "Previous versions…" of one file: every stored version across snapshots and destinations
 * (`versions.list`), newest first, each restorable through the wizard (preset to that snapshot and file).
 */
import { useCallback } from 'react';
import type { FileVersion } from '../../../shared/api/entities.js';
import { api } from '../api/client.js';
import { Button } from '../components/Button.js';
import { Dialog } from '../components/Dialog.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { useLoaded } from '../components/useLoaded.js';
import { formatBytes, formatDateTime, plural } from '../format.js';

interface Props {
  source: string;
  path: string;
  onRestore: (v: FileVersion) => void;
  onClose: () => void;
}

export function VersionsDialog({ source, path, onRestore, onClose }: Props) {
  const load = useCallback(() => api().call('versions.list', { source, path }), [source, path]);
  const { value, error, reload } = useLoaded(load);
  return (
    <Dialog title={`Versions of /${path}`} onClose={onClose} wide actions={<Button onClick={onClose}>Close</Button>}>
      <ErrorBanner error={error} title="Could not list the versions" onRetry={() => void reload()} />
      {!value && !error ? (
        <p className="muted" role="status">
          Looking through the snapshots…
        </p>
      ) : null}
      {value && value.length === 0 ? <p>No stored version of this file yet: back it up first.</p> : null}
      {value && value.length > 0 ? (
        <div className="prune-table" tabIndex={0} role="region" aria-label={`Stored versions of /${path}`}>
          <table className="results">
            <thead>
              <tr>
                <th scope="col">Modified</th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col">Backed up</th>
                <th scope="col">Where</th>
                <th scope="col">
                  <span className="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {value.map((v, i) => (
                <tr key={`${v.destination}\0${v.sha256}`}>
                  <td className="nowrap">
                    {formatDateTime(v.mtime)}
                    {i === 0 ? <span className="muted"> (newest)</span> : null}
                  </td>
                  <td className="num nowrap">{formatBytes(v.size)}</td>
                  <td>
                    {formatDateTime(v.firstSeen)}
                    {v.snapshots > 1 ? <span className="muted"> · in {plural(v.snapshots, 'snapshot')}</span> : null}
                  </td>
                  <td>{v.destination}</td>
                  <td>
                    <Button
                      size="sm"
                      onClick={() => onRestore(v)}
                      aria-label={`Restore the version modified ${formatDateTime(v.mtime)} from ${v.destination}`}
                    >
                      Restore…
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </Dialog>
  );
}
