/**
 * The sources (folders, buckets, Google Drives): pick one, add or remove, connect a Drive again, and
 * choose what goes where in the picked source's folder tree.
 */
import { useEffect, useState } from 'react';
import type { SourceInfo } from '../../../shared/api/entities.js';
import { api } from '../api/client.js';
import { Button } from '../components/Button.js';
import { ConfirmDialog } from '../components/Dialog.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { AddSource } from '../sources/AddSource.js';
import { SourceList } from '../sources/SourceList.js';
import { useRevision } from '../store/changes.js';
import { useDestinations } from '../store/destinations.js';
import { useRoute } from '../store/route.js';
import { useSources } from '../store/sources.js';
import { SourceTree } from '../tree/SourceTree.js';
import { ScreenHeader } from './ScreenHeader.js';

export function SourcesScreen() {
  const sources = useSources();
  const destinations = useDestinations();
  const sourcesRev = useRevision(['sources']);
  const destinationsRev = useRevision(['destinations']);
  const go = useRoute((s) => s.go);
  const [selected, setSelected] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<SourceInfo | null>(null);

  const loadSources = sources.load;
  const loadDestinations = destinations.load;
  useEffect(() => {
    void loadSources();
  }, [loadSources, sourcesRev]);
  useEffect(() => {
    void loadDestinations();
  }, [loadDestinations, destinationsRev]);

  const list = sources.list;
  const source = list?.find((s) => s.name === selected) ?? list?.[0] ?? null;

  return (
    <>
      <ScreenHeader
        title="Sources"
        subtitle="What Strata backs up: folders, buckets and Google Drive. Tick a folder for a destination to send it, and everything below it, there."
        actions={
          adding ? null : (
            <Button variant="primary" onClick={() => setAdding(true)}>
              Add source
            </Button>
          )
        }
      />
      <ErrorBanner error={sources.error} title="Could not load sources" onRetry={() => void loadSources()} />
      <ErrorBanner
        error={destinations.error}
        title="Could not load destinations"
        onRetry={() => void loadDestinations()}
      />

      {adding || (list && list.length === 0) ? (
        <AddSource
          onAdded={(s) => {
            setAdding(false);
            setSelected(s.name);
            void loadSources();
          }}
          onCancel={list && list.length > 0 ? () => setAdding(false) : undefined}
        />
      ) : null}

      {list && list.length > 0 && source ? (
        <>
          <SourceList
            sources={list}
            current={source}
            onPick={(s) => setSelected(s.name)}
            onRemove={setRemoving}
            onChanged={loadSources}
          />

          {source.kind === 'gdrive' && !source.connected ? (
            <div className="banner banner-warn" role="status">
              <div className="banner-text">
                <p className="banner-message">
                  <strong>{source.name} is disconnected from Google.</strong>
                </p>
                <p>Its folders cannot be read and its backups wait until you reconnect it.</p>
              </div>
            </div>
          ) : null}
          {destinations.list && destinations.list.length === 0 ? (
            <div className="empty">
              <p>No destinations yet.</p>
              <p className="muted">Add a destination first; then tick here which folders go to it.</p>
              <Button onClick={() => go('destinations')}>Go to Destinations</Button>
            </div>
          ) : null}
          {destinations.list && destinations.list.length > 0 ? (
            <SourceTree key={source.id} source={source} destinations={destinations.list} />
          ) : null}
        </>
      ) : null}

      {removing ? (
        <ConfirmDialog
          title={`Remove ${removing.name}?`}
          confirmLabel="Remove"
          danger
          onConfirm={async () => {
            await api().call('sources.remove', { name: removing.name });
            setSelected(null);
            await loadSources();
          }}
          onClose={() => setRemoving(null)}
        >
          <p>
            Strata stops backing up {removing.path} and forgets which of its folders go where. Your files and the
            backups already made are not touched.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
