/**
 * "Restore from an existing backup", the first run of a new machine: connect the disk or bucket
 * the backups are in, see what it holds (sources and snapshots, read from it alone), rebuild the
 * local index from it, then on to the Restore screen. (A vault passphrase step joins here once
 * the encrypted vault layout exists.)
 */
import { useId, useState } from 'react';
import type { DestinationInfo, RecoveryDiscovery, RepairReport } from '../../../shared/api/entities.js';
import { PROVIDERS, type ProviderId } from '../../../shared/providers.js';
import { api } from '../api/client.js';
import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { useAction } from '../components/useAction.js';
import { DestinationEditor } from '../destinations/DestinationEditor.js';
import { formatDateTime, plural } from '../format.js';

const CLOUD: readonly ProviderId[] = PROVIDERS.filter((p) => p.kind === 's3').map((p) => p.id);

const KIND_WORDS: Record<string, string> = { local: 'Folder', bucket: 'Bucket', gdrive: 'Google Drive' };

interface Props {
  /** The index is rebuilt: go on to restore. */
  onDone: () => void;
  /** Back to the normal start. */
  onCancel: () => void;
}

export function RecoverFromBackup({ onDone, onCancel }: Props) {
  const [dest, setDest] = useState<DestinationInfo | null>(null);
  const [found, setFound] = useState<RecoveryDiscovery | null>(null);
  const [report, setReport] = useState<RepairReport | null>(null);

  const discover = useAction(async (info: DestinationInfo) => {
    setDest(info);
    setFound(await api().call('recovery.discover', { destination: info.name }));
  });
  const repair = useAction(async (name: string) => {
    const r = await api().call('recovery.repairIndex', { destination: name });
    if (attention(r).length) setReport(r);
    else onDone();
  });
  // The destination was added only to look into it: another one, or a fresh start, lets it go.
  const forget = useAction(async (then?: () => void) => {
    if (dest) await api().call('destinations.remove', { name: dest.name });
    setDest(null);
    setFound(null);
    discover.clearError();
    then?.();
  });

  if (!dest) return <Connect onConnected={(info) => void discover.run(info)} onCancel={onCancel} />;

  if (!found) {
    return (
      <section className="panel" aria-labelledby="recover-h" aria-busy={discover.busy || undefined}>
        <h1 id="recover-h">Looking for backups in {dest.name}…</h1>
        <ErrorBanner
          error={discover.error}
          title={`Could not read ${dest.name}`}
          onRetry={() => void discover.run(dest)}
        />
        <ErrorBanner error={forget.error} title="Could not remove it" />
        {discover.error ? (
          <div className="actions">
            <Button onClick={() => void forget.run()} busy={forget.busy}>
              Use another destination
            </Button>
          </div>
        ) : (
          <p className="muted">Reading its snapshots: this takes a moment for a large backup.</p>
        )}
      </section>
    );
  }

  if (report) {
    return (
      <section className="panel" aria-labelledby="recover-h">
        <h1 id="recover-h">The local index is rebuilt</h1>
        <p className="muted">Your snapshots can be restored now. A few things need you before backups go on:</p>
        <ul className="recover-notes">
          {attention(report).map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
        <div className="actions">
          <Button variant="primary" onClick={onDone}>
            Continue to restore
          </Button>
        </div>
      </section>
    );
  }

  if (!found.repositoryId || !found.sources.length) {
    return (
      <section className="panel" aria-labelledby="recover-h">
        <h1 id="recover-h">No backups found in {dest.name}</h1>
        <p>
          <bdi className="mono">{dest.label}</bdi> holds no Strata backups. Check the folder, or the bucket and its
          prefix, and try again.
        </p>
        <ErrorBanner error={forget.error} title="Could not remove it" />
        <div className="actions">
          <Button variant="primary" onClick={() => void forget.run()} busy={forget.busy}>
            Try another destination
          </Button>
          <Button onClick={() => void forget.run(onCancel)}>Start fresh instead</Button>
        </div>
      </section>
    );
  }

  return (
    <section className="panel" aria-labelledby="recover-h">
      <h1 id="recover-h">Backups found in {dest.name}</h1>
      <p>
        {plural(found.snapshots, 'snapshot')} of {plural(found.sources.length, 'source')}
        {found.latest !== null ? <>, the latest from {formatDateTime(found.latest)}</> : null}
        {found.damaged ? <> ({plural(found.damaged, 'damaged snapshot')} cannot be read)</> : null}.
      </p>
      <table className="results recover-sources" aria-label="Sources found">
        <thead>
          <tr>
            <th scope="col">Source</th>
            <th scope="col">Backed up from</th>
            <th scope="col" className="num">
              Snapshots
            </th>
            <th scope="col">Latest</th>
          </tr>
        </thead>
        <tbody>
          {found.sources.map((s) => (
            <tr key={s.sourceId}>
              <td>
                <strong>{s.sourceName}</strong>
                <span className="muted recover-kind">{KIND_WORDS[s.kind] ?? s.kind}</span>
              </td>
              <td>
                <bdi className="mono">{s.root || '–'}</bdi>
                {s.hostname ? <span className="muted"> on {s.hostname}</span> : null}
              </td>
              <td className="num">{s.snapshots}</td>
              <td>{s.latest !== null ? formatDateTime(s.latest) : '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        Strata rebuilds its local index from these backups: folders come back as sources with what was backed up ticked,
        and what the destination holds shows as synced. Nothing is changed at the destination.
      </p>
      <ErrorBanner error={repair.error} title="Could not rebuild the index" />
      <ErrorBanner error={forget.error} title="Could not remove it" />
      <div className="actions">
        <Button variant="primary" onClick={() => void repair.run(dest.name)} busy={repair.busy}>
          {repair.busy ? 'Rebuilding the index…' : 'Continue to restore'}
        </Button>
        <Button onClick={() => void forget.run()} disabled={repair.busy} busy={forget.busy}>
          Use another destination
        </Button>
      </div>
    </section>
  );
}

function Connect({ onConnected, onCancel }: { onConnected: (info: DestinationInfo) => void; onCancel: () => void }) {
  const id = useId();
  const [where, setWhere] = useState<'local' | 'cloud'>('local');
  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <h1 id={`${id}-h`}>Restore from an existing backup</h1>
      <p className="muted">
        Connect the disk, folder or bucket your backups are in. Strata finds your sources and snapshots there, from the
        backup alone, and rebuilds its index on this computer.
      </p>
      <fieldset className="field">
        <legend>Where are your backups?</legend>
        <div className="radio-col">
          <label className="radio">
            <input type="radio" name={`${id}-where`} checked={where === 'local'} onChange={() => setWhere('local')} />A
            folder on this computer, a backup disk or a NAS share
          </label>
          <label className="radio">
            <input type="radio" name={`${id}-where`} checked={where === 'cloud'} onChange={() => setWhere('cloud')} />A
            cloud provider (AWS S3, Cloudflare R2, Backblaze B2, Wasabi, MinIO or another S3-compatible store)
          </label>
        </div>
      </fieldset>
      <DestinationEditor
        key={where}
        initialProvider={where === 'local' ? 'local' : 'aws'}
        providers={where === 'local' ? ['local'] : CLOUD}
        submitLabel="Connect"
        onSaved={onConnected}
        onCancel={onCancel}
      />
    </section>
  );
}

/** What the user must do after a repair: sources to add again, names in the way, what could not be read. */
export function attention(r: RepairReport): string[] {
  const notes: string[] = [];
  for (const d of r.destinations) if (d.error) notes.push(`${d.name} could not be read: ${d.error}`);
  for (const s of r.sources) {
    if (s.status === 'needs-credentials') {
      const what = s.kind === 'bucket' ? `the bucket ${s.root}` : s.kind === 'gdrive' ? 'a Google Drive' : s.root;
      notes.push(
        `${s.sourceName} (${what}) needs its credentials before it is backed up again: add it again with the id ${s.sourceId} to continue its series (strata source add … --id ${s.sourceId}).`,
      );
    } else if (s.status === 'name-taken') notes.push(`${s.sourceName}: ${s.message}`);
  }
  for (const x of r.synced) if (x.error) notes.push(`${x.source} → ${x.destination}: ${x.error}`);
  return notes;
}
