/** Step 2: what comes back. Tick files and folders in the snapshot's tree and/or filter; the count follows live. */
import { ErrorBanner } from '../components/ErrorBanner.js';
import { formatBytes, plural } from '../format.js';
import { FilterFields } from './FilterFields.js';
import { SnapshotTree } from './SnapshotTree.js';
import { nothingTicked } from './selection.js';
import { useRestoreCount } from './useRestoreCount.js';
import { useWizard } from './wizard-store.js';

export function StepSelect() {
  const w = useWizard();
  const { count, error, counting } = useRestoreCount(w);
  return (
    <div className="wizard-step">
      <p className="muted">
        Tick what to restore (everything is ticked at first), and narrow it down with the filters if you like.
      </p>
      <div className="select-layout">
        <SnapshotTree
          destination={w.destination}
          snapshotId={w.snapshotId}
          sourceName={w.source || 'Snapshot'}
          decisions={w.decisions}
          onDecisions={(decisions) => w.set({ decisions })}
        />
        <FilterFields value={w.filter} onChange={(filter) => w.set({ filter })} />
      </div>
      <p className="select-count" role="status" aria-live="polite" aria-busy={counting || undefined}>
        {nothingTicked(w.decisions)
          ? 'Nothing ticked: tick a file or folder to restore.'
          : count
            ? `Selected: ${plural(count.files, 'file')}, ${formatBytes(count.bytes)}`
            : 'Counting…'}
      </p>
      <ErrorBanner error={error} title="Could not count the selection" />
    </div>
  );
}
