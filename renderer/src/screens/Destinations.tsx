/**
 * The destinations: list, add, edit, remove (confirmed), test a saved one, and each one's plan:
 * schedule and retention (edited in a panel like the settings) and Prune now.
 */
import { useEffect, useState } from 'react';
import type { DestinationInfo, TestResult } from '../../../shared/api/entities.js';
import { providerLabel } from '../../../shared/providers.js';
import { api } from '../api/client.js';
import { Button } from '../components/Button.js';
import { ConfirmDialog } from '../components/Dialog.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { useAction } from '../components/useAction.js';
import { DestinationEditor } from '../destinations/DestinationEditor.js';
import { TestResultView } from '../destinations/TestResultView.js';
import { PlanEditor } from '../plans/PlanEditor.js';
import { PlanLine } from '../plans/PlanLine.js';
import { PruneDialog } from '../plans/PruneDialog.js';
import { useRevision } from '../store/changes.js';
import { useDestinations } from '../store/destinations.js';
import { ScreenHeader } from './ScreenHeader.js';
import '../destinations/vault.css';

type Editing =
  | { mode: 'add' }
  | { mode: 'edit'; destination: DestinationInfo }
  | { mode: 'plan'; destination: DestinationInfo }
  | null;

export function Destinations() {
  const { list, error, load } = useDestinations();
  const rev = useRevision(['destinations']);
  const [editing, setEditing] = useState<Editing>(null);
  const [removing, setRemoving] = useState<DestinationInfo | null>(null);
  const [pruning, setPruning] = useState<DestinationInfo | null>(null);

  useEffect(() => {
    void load();
  }, [load, rev]);

  return (
    <>
      <ScreenHeader
        title="Destinations"
        subtitle="Where backups go: folders on other disks, or buckets at cloud providers."
        actions={
          editing ? null : (
            <Button variant="primary" onClick={() => setEditing({ mode: 'add' })}>
              Add destination
            </Button>
          )
        }
      />
      <ErrorBanner error={error} title="Could not load destinations" onRetry={() => void load()} />

      {editing?.mode === 'plan' ? (
        <section className="panel" aria-labelledby="plan-heading">
          <h2 id="plan-heading">Schedule &amp; retention of {editing.destination.name}</h2>
          <PlanEditor
            key={editing.destination.id}
            destination={editing.destination.name}
            onSaved={() => setEditing(null)}
            onCancel={() => setEditing(null)}
          />
        </section>
      ) : null}

      {editing && editing.mode !== 'plan' ? (
        <section className="panel" aria-labelledby="editor-heading">
          <h2 id="editor-heading">
            {editing.mode === 'edit' ? `Edit ${editing.destination.name}` : 'Add a destination'}
          </h2>
          <DestinationEditor
            key={editing.mode === 'edit' ? editing.destination.id : 'new'}
            existing={editing.mode === 'edit' ? editing.destination : undefined}
            onSaved={() => {
              setEditing(null);
              void load();
            }}
            onCancel={() => setEditing(null)}
          />
        </section>
      ) : null}

      {list && list.length === 0 && !editing ? (
        <div className="empty">
          <p>No destinations yet.</p>
          <p className="muted">
            Add one to start backing up: a folder on a backup disk or NAS, or a bucket at AWS S3, Cloudflare R2,
            Backblaze B2, Wasabi or any S3-compatible server.
          </p>
        </div>
      ) : null}

      {list && list.length > 0 ? (
        <ul className="dest-list" aria-label="Destinations">
          {list.map((d) => (
            <DestinationRow
              key={d.id}
              destination={d}
              onEdit={() => setEditing({ mode: 'edit', destination: d })}
              onPlan={() => setEditing({ mode: 'plan', destination: d })}
              onPrune={() => setPruning(d)}
              onRemove={() => setRemoving(d)}
            />
          ))}
        </ul>
      ) : null}

      {pruning ? <PruneDialog destination={pruning.name} onClose={() => setPruning(null)} /> : null}

      {removing ? (
        <ConfirmDialog
          title={`Remove ${removing.name}?`}
          confirmLabel="Remove"
          danger
          onConfirm={async () => {
            await api().call('destinations.remove', { name: removing.name });
            await load();
          }}
          onClose={() => setRemoving(null)}
        >
          <p>
            Strata stops backing up to {removing.name} and forgets its settings and saved secret. Backups already stored
            there are not deleted.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

function DestinationRow({
  destination: d,
  onEdit,
  onPlan,
  onPrune,
  onRemove,
}: {
  destination: DestinationInfo;
  onEdit: () => void;
  onPlan: () => void;
  onPrune: () => void;
  onRemove: () => void;
}) {
  const [result, setResult] = useState<TestResult | null>(null);
  const test = useAction(async () => {
    setResult(null);
    setResult(await api().call('destinations.test', { name: d.name }));
  });
  return (
    <li className="dest-row" aria-label={d.name}>
      <div className="dest-main">
        <h2 className="dest-name">{d.name}</h2>
        <p className="dest-meta">
          <span className="dest-provider">{providerLabel(d.provider)}</span>
          <span className="dest-label mono" title={d.label}>
            {d.label}
          </span>
          {d.settings.layout === 'vault' ? (
            <span className="tag tag-vault" title="Deduplicated, compressed and encrypted with a passphrase">
              Vault
            </span>
          ) : null}
          {d.settings.kind === 's3' ? (
            <span className={d.secretSaved ? 'tag tag-ok' : 'tag tag-warn'}>
              {d.secretSaved ? 'Secret saved' : 'No secret saved'}
            </span>
          ) : null}
        </p>
        <PlanLine destination={d.name} />
      </div>
      <div className="dest-actions">
        <Button size="sm" onClick={() => void test.run()} busy={test.busy} aria-label={`Test ${d.name}`}>
          Test
        </Button>
        <Button size="sm" onClick={onPlan} aria-label={`Schedule & retention of ${d.name}`}>
          Schedule &amp; retention
        </Button>
        <Button size="sm" onClick={onPrune} aria-label={`Prune ${d.name} now…`}>
          Prune now…
        </Button>
        <Button size="sm" onClick={onEdit} aria-label={`Edit ${d.name}`}>
          Edit
        </Button>
        <Button size="sm" variant="danger" onClick={onRemove} aria-label={`Remove ${d.name}`}>
          Remove
        </Button>
      </div>
      <div className="dest-test">
        <ErrorBanner error={test.error} title="Could not test" />
        {result ? <TestResultView result={result} title={`Test of ${d.name}`} /> : null}
      </div>
    </li>
  );
}
