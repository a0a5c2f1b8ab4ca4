/** A folder on the host's disk as a source: folder + name → `sources.add`. */
import { useId, useState } from 'react';
import type { SourceInfo } from '../../../shared/api/entities.js';
import { suggestName } from '../../../shared/providers.js';
import { api } from '../api/client.js';
import { FolderPicker } from '../components/FolderPicker.js';
import { NameField } from '../components/NameField.js';
import { useName } from '../components/useName.js';
import { useAction } from '../components/useAction.js';
import { SourceFormEnd } from './SourceFormEnd.js';

interface Props {
  onAdded: (source: SourceInfo) => void;
  onCancel?: (() => void) | undefined;
  submitLabel: string;
}

export function FolderSourceForm({ onAdded, onCancel, submitLabel }: Props) {
  const id = useId();
  const name = useName();
  const [path, setPath] = useState('');
  const [problems, setProblems] = useState<{ path?: string }>({});
  const add = useAction(async () => {
    const found: typeof problems = {};
    if (!path.trim()) found.path = 'Choose a folder';
    setProblems(found);
    if (!name.check() || Object.keys(found).length > 0) return;
    onAdded(await api().call('sources.add', { name: name.name, path: path.trim() }));
  });
  return (
    <form
      className="source-form"
      aria-label="New folder source"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void add.run();
      }}
    >
      <FolderPicker
        value={path}
        onChange={(p) => {
          setPath(p);
          setProblems(({ path: _drop, ...rest }) => rest);
          name.suggest(suggestName(p));
        }}
        problem={problems.path}
      />
      <NameField
        id={id}
        {...name.field}
        help="A short name for this folder in Strata and in the backups, e.g. Documents or photos."
      />
      <SourceFormEnd action={add} errorTitle="Could not add the folder" submitLabel={submitLabel} onCancel={onCancel} />
    </form>
  );
}
