/** The source folders: pick one, add or remove, and choose what goes where in its folder tree. */
import { useEffect, useId, useState } from 'react';
import type { SourceInfo } from '../../../shared/api/entities.js';
import { NameField, nameProblem } from '../components/NameField.js';
import { suggestName } from '../../../shared/providers.js';
import { api } from '../api/client.js';
import { Button } from '../components/Button.js';
import { ConfirmDialog } from '../components/Dialog.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { FolderPicker } from '../components/FolderPicker.js';
import { useAction } from '../components/useAction.js';
import { useRevision } from '../store/changes.js';
import { useDestinations } from '../store/destinations.js';
import { useRoute } from '../store/route.js';
import { useSources } from '../store/sources.js';
import { SourceTree } from '../tree/SourceTree.js';
import { ScreenHeader } from './ScreenHeader.js';

export function SourcesScreen() {
  const id = useId();
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
        subtitle="The folders Strata backs up. Tick a folder for a destination to send it, and everything below it, there."
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
          <div className="source-bar">
            <label htmlFor={`${id}-source`}>Source</label>
            <select
              id={`${id}-source`}
              className="input source-select"
              value={source.name}
              onChange={(e) => setSelected(e.target.value)}
            >
              {list.map((s) => (
                <option key={s.id} value={s.name}>
                  {s.name} — {s.path}
                </option>
              ))}
            </select>
            <Button variant="danger" size="sm" onClick={() => setRemoving(source)}>
              Remove source
            </Button>
          </div>

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

/** Name + folder → `sources.add`. Used here and in onboarding. */
export function AddSource({
  onAdded,
  onCancel,
  submitLabel = 'Add source',
  headingLevel = 2,
  heading = 'Add a source folder',
}: {
  onAdded: (source: SourceInfo) => void;
  onCancel?: (() => void) | undefined;
  submitLabel?: string;
  headingLevel?: 1 | 2;
  heading?: string | null;
}) {
  const id = useId();
  const [name, setName] = useState('');
  const [nameTouched, setNameTouched] = useState(false);
  const [path, setPath] = useState('');
  const [problems, setProblems] = useState<{ name?: string; path?: string }>({});
  const add = useAction(async () => {
    const found: typeof problems = {};
    const problem = nameProblem(name);
    if (problem) found.name = problem;
    if (!path.trim()) found.path = 'Choose a folder';
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    onAdded(await api().call('sources.add', { name, path: path.trim() }));
  });
  const H = headingLevel === 1 ? 'h1' : 'h2';
  return (
    <form
      className="panel"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void add.run();
      }}
    >
      {heading ? <H id={`${id}-heading`}>{heading}</H> : null}
      <FolderPicker
        value={path}
        onChange={(p) => {
          setPath(p);
          setProblems(({ path: _drop, ...rest }) => rest);
          if (!nameTouched) setName(suggestName(p));
        }}
        problem={problems.path}
      />
      <NameField
        id={id}
        value={name}
        problem={problems.name}
        onChange={(typed) => {
          setName(typed);
          setNameTouched(true);
          setProblems(({ name: _drop, ...rest }) => rest);
        }}
        help="A short name for this folder in Strata and in the backups, e.g. Documents or photos."
      />
      <ErrorBanner error={add.error} title="Could not add the folder" />
      <div className="actions">
        <Button type="submit" variant="primary" busy={add.busy}>
          {submitLabel}
        </Button>
        {onCancel ? <Button onClick={onCancel}>Cancel</Button> : null}
      </div>
    </form>
  );
}
