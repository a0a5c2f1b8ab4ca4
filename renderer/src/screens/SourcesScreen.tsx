/**
 * The sources (folders, buckets, Google Drives): pick one, add or remove, connect a Drive again, and
 * choose what goes where in the picked source's folder tree. Leaving a tree with unsaved ticks (for
 * another source or screen) asks to save or discard them first.
 */
import { useEffect, useRef, useState, type RefObject } from 'react';
import type { SourceInfo } from '../../../shared/api/entities.js';
import { api } from '../api/client.js';
import { Button } from '../components/Button.js';
import { ConfirmDialog, Dialog } from '../components/Dialog.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { useAction } from '../components/useAction.js';
import { AddSource } from '../sources/AddSource.js';
import { SourceList } from '../sources/SourceList.js';
import { useRevision } from '../store/changes.js';
import { useDestinations } from '../store/destinations.js';
import { useRoute } from '../store/route.js';
import { useSources } from '../store/sources.js';
import { plural } from '../format.js';
import { SourceTree, type UnsavedTicks } from '../tree/SourceTree.js';
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
  const unsaved = useRef<UnsavedTicks | null>(null);
  /** What to do once the unsaved ticks are saved or discarded (the user asked to leave). */
  const [leaving, setLeaving] = useState<{ then: () => void } | null>(null);
  const setLeaveGuard = useRoute((s) => s.setLeaveGuard);

  /** Runs `then` at once, or after the user saved or discarded the tree's unsaved ticks. */
  const leave = (then: () => void): void => {
    if (unsaved.current?.count()) setLeaving({ then });
    else then();
  };
  useEffect(() => {
    setLeaveGuard((next) => {
      if (!unsaved.current?.count()) return true;
      setLeaving({ then: () => useRoute.getState().go(next) });
      return false;
    });
    return () => setLeaveGuard(null);
  }, [setLeaveGuard]);

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
        subtitle="What Strata backs up: folders, buckets, Google Drive and database dumps. Tick a folder for a destination to send it, and everything below it, there."
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
            void loadSources();
            leave(() => setSelected(s.name));
          }}
          onCancel={list && list.length > 0 ? () => setAdding(false) : undefined}
        />
      ) : null}

      {list && list.length > 0 && source ? (
        <>
          <SourceList
            sources={list}
            current={source}
            onPick={(s) => {
              if (s.name !== source.name) leave(() => setSelected(s.name));
            }}
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
            <SourceTree key={source.id} source={source} destinations={destinations.list} unsavedRef={unsaved} />
          ) : null}
        </>
      ) : null}

      {leaving && source ? (
        <LeaveDialog
          source={source.name}
          unsaved={unsaved}
          onDone={() => {
            setLeaving(null);
            leaving.then();
          }}
          onStay={() => setLeaving(null)}
        />
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

/** Save or discard the tree's unsaved ticks before leaving; Stay (the safe choice) keeps them. */
function LeaveDialog(props: {
  source: string;
  unsaved: RefObject<UnsavedTicks | null>;
  onDone: () => void;
  onStay: () => void;
}) {
  const { source, unsaved, onDone, onStay } = props;
  const [count] = useState(() => unsaved.current?.count() ?? 0);
  const save = useAction(async () => {
    await unsaved.current?.save();
    onDone();
  });
  return (
    <Dialog
      title="Save your changes?"
      onClose={onStay}
      actions={
        <>
          <Button variant="primary" busy={save.busy} onClick={() => void save.run()}>
            Save changes
          </Button>
          <Button
            disabled={save.busy}
            onClick={() => {
              unsaved.current?.discard();
              onDone();
            }}
          >
            Discard
          </Button>
          <Button onClick={onStay}>Stay</Button>
        </>
      }
    >
      <p>
        {plural(count, 'change')} to what {source} sends where {count === 1 ? 'is' : 'are'} not saved. Save them so
        backups follow them, or discard them and keep what was saved before.
      </p>
      <ErrorBanner error={save.error} title="Could not save" />
    </Dialog>
  );
}
