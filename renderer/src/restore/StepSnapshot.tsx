/**
 * Step 1: where from. A destination, the source when it holds several, then a snapshot on a
 * timeline, newest first ("Latest" on top), each with its time, files, size and verification.
 */
import { useEffect, useId, useMemo } from 'react';
import type { SnapshotInfo } from '../../../shared/api/entities.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Pill } from '../components/StatusPill.js';
import { formatBytes, formatDateTime, formatRelative, plural } from '../format.js';
import { useDestinations } from '../store/destinations.js';
import { useSnapshots } from './useSnapshots.js';
import { useWizard } from './wizard-store.js';

export function StepSnapshot() {
  const id = useId();
  const w = useWizard();
  const destinations = useDestinations();
  const loadDestinations = destinations.load;
  useEffect(() => {
    void loadDestinations();
  }, [loadDestinations]);

  const list = destinations.list ?? [];
  const destination = w.destination || list[0]?.name || '';
  const snapshots = useSnapshots(destination);
  const all = useMemo(() => snapshots.value ?? [], [snapshots.value]);
  const sources = useMemo(() => [...new Set(all.filter((s) => !s.damaged).map((s) => s.sourceName))].sort(), [all]);
  const source = sources.includes(w.source) ? w.source : (sources[0] ?? '');
  const shown = useMemo(
    () => all.filter((s) => s.damaged || s.sourceName === source).sort((a, b) => b.time - a.time),
    [all, source],
  );
  const newest = shown.find((s) => !s.damaged);

  // Keep the wizard's choice in step with what is shown: the first destination, the only source, the latest snapshot.
  const set = w.set;
  useEffect(() => {
    if (destination && destination !== w.destination) set({ destination, snapshotId: '' });
  }, [destination, w.destination, set]);
  useEffect(() => {
    if (source !== w.source) set({ source });
  }, [source, w.source, set]);
  useEffect(() => {
    if (snapshots.value && !shown.some((s) => s.snapshotId === w.snapshotId && !s.damaged) && newest) {
      set({ snapshotId: newest.snapshotId, decisions: { '': true } });
    }
  }, [snapshots.value, shown, w.snapshotId, newest, set]);

  return (
    <div className="wizard-step">
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-dest`}>Restore from</label>
          <select
            id={`${id}-dest`}
            className="input input-medium"
            value={destination}
            onChange={(e) => set({ destination: e.target.value, snapshotId: '' })}
          >
            {list.map((d) => (
              <option key={d.id} value={d.name}>
                {d.name} ({d.label})
              </option>
            ))}
          </select>
        </div>
        {sources.length > 1 ? (
          <div className="field">
            <label htmlFor={`${id}-source`}>Source</label>
            <select
              id={`${id}-source`}
              className="input input-medium"
              value={source}
              onChange={(e) => set({ source: e.target.value, snapshotId: '' })}
            >
              {sources.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </div>
        ) : null}
      </div>
      <ErrorBanner error={destinations.error} title="Could not load the destinations" />
      <ErrorBanner error={snapshots.error} title="Could not read the snapshots" onRetry={snapshots.reload} />
      {destinations.list && list.length === 0 ? <p className="muted">Add a destination and back up first.</p> : null}
      {!snapshots.value && !snapshots.error && destination ? (
        <p className="muted" role="status">
          Reading the snapshots on {destination}…
        </p>
      ) : null}
      {snapshots.value && shown.length === 0 ? (
        <div className="empty">
          <p>No snapshots on {destination} yet.</p>
          <p className="muted">A snapshot is made by every backup to it.</p>
        </div>
      ) : null}
      {shown.length ? (
        <fieldset className="field snap-timeline">
          <legend>Snapshot</legend>
          <ol className="timeline">
            {shown.map((s) => (
              <li key={s.snapshotId}>
                <label className={`timeline-item${s.damaged ? ' timeline-damaged' : ''}`}>
                  <input
                    type="radio"
                    name={`${id}-snap`}
                    value={s.snapshotId}
                    checked={w.snapshotId === s.snapshotId}
                    disabled={!!s.damaged}
                    onChange={() => set({ snapshotId: s.snapshotId, decisions: { '': true } })}
                  />
                  <span className="timeline-time">
                    <strong>
                      {s === newest ? 'Latest · ' : ''}
                      {formatDateTime(s.time)}
                    </strong>
                    <span className="muted"> {formatRelative(s.time)}</span>
                  </span>
                  <span className="timeline-size">
                    {s.damaged ? 'Cannot be read' : `${plural(s.files, 'file')} · ${formatBytes(s.bytes)}`}
                  </span>
                  <VerifiedPill s={s} />
                  {s.damaged ? <span className="timeline-note err-text">{s.damaged}</span> : null}
                  {s.errors ? (
                    <span className="timeline-note muted">
                      {plural(s.errors, 'file')} could not be read at backup time
                    </span>
                  ) : null}
                </label>
              </li>
            ))}
          </ol>
        </fieldset>
      ) : null}
    </div>
  );
}

function VerifiedPill({ s }: { s: SnapshotInfo }) {
  if (s.damaged) return <Pill tone="err">Damaged</Pill>;
  if (!s.verified) return <Pill tone="idle">Not verified</Pill>;
  const how = s.verified.mode === 'deep' ? 'deep' : 'quick';
  return s.verified.ok ? <Pill tone="ok">Verified ({how})</Pill> : <Pill tone="err">Verification failed</Pill>;
}
