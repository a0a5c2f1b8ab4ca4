/**
 * Adds a source: choose the kind (a folder, a bucket, Google Drive, a database or command), then that kind's form. Used by
 * the Sources screen and, for the first source, by onboarding.
 */
import { useId, useState } from 'react';
import type { SourceInfo } from '../../../shared/api/entities.js';
import { BucketSourceForm } from './BucketSourceForm.js';
import { CommandSourceForm } from './CommandSourceForm.js';
import { DriveSourceForm } from './DriveSourceForm.js';
import { FolderSourceForm } from './FolderSourceForm.js';
import type { SourceKind } from './kinds.js';
import { SourceKindPicker } from './SourceKindPicker.js';

const HEADINGS: Record<'first' | 'more', Record<SourceKind, string>> = {
  first: {
    local: 'Add your first folder',
    bucket: 'Add your first bucket',
    gdrive: 'Connect your Google Drive',
    command: 'Add a database or command',
  },
  more: {
    local: 'Add a source folder',
    bucket: 'Add a bucket',
    gdrive: 'Connect Google Drive',
    command: 'Add a database or command',
  },
};

interface Props {
  onAdded: (source: SourceInfo) => void;
  onCancel?: (() => void) | undefined;
  /** Onboarding: the first source, under the page's h1. */
  first?: boolean;
}

export function AddSource({ onAdded, onCancel, first = false }: Props) {
  const id = useId();
  const [kind, setKind] = useState<SourceKind>('local');
  const H = first ? 'h1' : 'h2';
  return (
    <section className="panel" aria-labelledby={`${id}-heading`}>
      <H id={`${id}-heading`}>{HEADINGS[first ? 'first' : 'more'][kind]}</H>
      <SourceKindPicker value={kind} onChange={setKind} />
      {kind === 'local' ? (
        <FolderSourceForm onAdded={onAdded} onCancel={onCancel} submitLabel={first ? 'Add folder' : 'Add source'} />
      ) : null}
      {kind === 'bucket' ? <BucketSourceForm onAdded={onAdded} onCancel={onCancel} /> : null}
      {kind === 'gdrive' ? <DriveSourceForm onAdded={onAdded} onCancel={onCancel} /> : null}
      {kind === 'command' ? <CommandSourceForm onAdded={onAdded} onCancel={onCancel} /> : null}
    </section>
  );
}
