/**
 * "Prune now…": what the saved retention policy would remove from a destination (`prune.preview`),
 * then, confirmed, the prune as a run of its own (`prune.start`), followed until its run.finished.
 * Cancel before confirming changes nothing.
 */
import { useCallback, useState } from 'react';
import type { PrunePreview } from '../../../shared/api/entities.js';
import { api } from '../api/client.js';
import { Button } from '../components/Button.js';
import { useLoaded } from '../components/useLoaded.js';
import { Dialog } from '../components/Dialog.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { useAction } from '../components/useAction.js';
import { formatBytes, plural, sentence } from '../format.js';
import { useActiveRun } from '../store/activeRun.js';
import { PruneSnapshotTable } from './PruneSnapshotTable.js';

interface Props {
  destination: string;
  onClose: () => void;
}

export function PruneDialog({ destination, onClose }: Props) {
  const [runId, setRunId] = useState<number | null>(null);
  const finished = useActiveRun((s) => (runId !== null && s.lastFinished?.runId === runId ? s.lastFinished : null));

  const fetchPreview = useCallback(() => api().call('prune.preview', { destination }), [destination]);
  const { value: preview, error, reload: load } = useLoaded(fetchPreview);

  const start = useAction(async () => {
    const { runId } = await api().call('prune.start', { destination });
    setRunId(runId);
  });

  const title = `Prune ${destination} now?`;

  if (runId !== null) {
    return (
      <Dialog
        title={title}
        onClose={onClose}
        actions={
          <Button variant={finished ? 'primary' : 'secondary'} autoFocus onClick={onClose}>
            Close
          </Button>
        }
      >
        {finished ? (
          <PruneOutcome status={finished.status} error={finished.error} preview={preview} />
        ) : (
          <div className="prune-running" role="status">
            <p>Removing old snapshots from {destination}…</p>
            <ProgressBar label={`Pruning ${destination}`} value={undefined} />
            <p className="muted">You can close this: the prune goes on and shows in Activity.</p>
          </div>
        )}
      </Dialog>
    );
  }

  // A vault's prune also deletes what an earlier one marked, so it is worth running with nothing to remove.
  const nothing = preview !== null && preview.remove === 0 && preview.layout !== 'vault';
  return (
    <Dialog
      title={title}
      onClose={onClose}
      wide
      actions={
        <>
          <Button variant="danger" busy={start.busy} disabled={!preview || nothing} onClick={() => void start.run()}>
            {preview && preview.remove > 0 ? `Remove ${plural(preview.remove, 'snapshot')}` : 'Prune'}
          </Button>
          <Button onClick={onClose}>Cancel</Button>
        </>
      }
    >
      <ErrorBanner error={error} title="Could not read the snapshots" onRetry={() => void load()} />
      {!preview && !error ? (
        <p className="muted" role="status">
          Reading the snapshots on {destination}…
        </p>
      ) : null}
      {preview ? <PreviewBody preview={preview} /> : null}
      <ErrorBanner error={start.error} title="Could not start the prune" />
    </Dialog>
  );
}

function PreviewBody({ preview: p }: { preview: PrunePreview }) {
  const total = p.keep + p.remove;
  const leftAlone = [
    p.foreign ? `${plural(p.foreign, 'snapshot')} of folders this computer does not back up` : '',
    p.damaged ? `${plural(p.damaged, 'unreadable snapshot')}` : '',
  ].filter(Boolean);
  return (
    <>
      <p>
        <strong>Retention:</strong> {p.policySummary}.
      </p>
      <p className="prune-counts" role="status">
        {p.remove === 0
          ? `Nothing to remove: ${keptWords(total)}.`
          : `Removes ${p.remove} of ${plural(total, 'snapshot')} and frees about ${formatBytes(p.bytesToFree)}` +
            (p.historyObjects ? ` (${plural(p.historyObjects, 'stored object')} no kept snapshot needs).` : '.')}
      </p>
      {p.collectBlocked ? (
        <div className="banner banner-warn">
          <p>
            <strong>Space will not be freed yet:</strong> {sentence(p.collectBlocked)}
          </p>
        </div>
      ) : null}
      {p.layout === 'vault' ? (
        <p className="muted">
          This is a vault: its space is freed in two steps. A prune marks the data no kept snapshot needs; a later
          prune, at least a day on and once no backup that began before is still running, deletes it. Data still in use
          in mostly empty packs, and the small packs each backup leaves, are copied into full packs on the way, so later
          prunes can free them; the run's log in Activity says how much.
        </p>
      ) : null}
      {leftAlone.length ? <p className="muted">Left alone: {leftAlone.join(', ')}.</p> : null}
      {p.snapshots.length ? <PruneSnapshotTable preview={p} /> : null}
    </>
  );
}

function keptWords(total: number): string {
  if (total === 0) return 'this computer has no snapshots there yet';
  return total === 1 ? 'the policy keeps the only snapshot' : `the policy keeps all ${plural(total, 'snapshot')}`;
}

function PruneOutcome({
  status,
  error,
  preview,
}: {
  status: string;
  error: string | null;
  preview: PrunePreview | null;
}) {
  if (status === 'ok') {
    return (
      <p role="status" className="prune-done">
        Done: removed {plural(preview?.remove ?? 0, 'snapshot')}
        {preview?.bytesToFree ? ` and freed about ${formatBytes(preview.bytesToFree)}` : ''}. Activity has the log.
      </p>
    );
  }
  if (status === 'partial') {
    return (
      <div role="status" className="banner banner-warn">
        <p>
          <strong>Snapshots removed, space not freed yet:</strong> {sentence(error ?? 'the stored history was kept')}
        </p>
      </div>
    );
  }
  return (
    <div role="alert" className="banner banner-err">
      <p>
        <strong>The prune failed:</strong> {sentence(error ?? status)}
      </p>
    </div>
  );
}
