/**
 * An S3-compatible bucket as a source (the R2 or S3 "primary" your apps write to): the destination
 * editor's provider presets and fields, without a storage class, → `sources.addBucket`. Its keys
 * become the files and '/' makes the folders.
 */
import { useId, useState } from 'react';
import type { SourceInfo } from '../../../shared/api/entities.js';
import {
  PROVIDERS,
  checkForm,
  emptyForm,
  providerMeta,
  suggestName,
  type DestinationForm,
} from '../../../shared/providers.js';
import { api } from '../api/client.js';
import { NameField } from '../components/NameField.js';
import { useName } from '../components/useName.js';
import { ProviderSelect } from '../components/ProviderSelect.js';
import { S3Fields, clearProblems, type FieldProblems } from '../components/S3Fields.js';
import { useAction } from '../components/useAction.js';
import { bucketSourceDraft } from './bucket-draft.js';
import { SourceFormEnd } from './SourceFormEnd.js';

const CLOUD = PROVIDERS.filter((p) => p.kind === 's3');

interface Props {
  onAdded: (source: SourceInfo) => void;
  onCancel?: (() => void) | undefined;
}

export function BucketSourceForm({ onAdded, onCancel }: Props) {
  const id = useId();
  const name = useName();
  // R2 first: it is the usual primary (README, "Bucket sources").
  const [form, setForm] = useState<DestinationForm>(() => emptyForm('r2'));
  const [problems, setProblems] = useState<FieldProblems>({});
  const meta = providerMeta(form.provider);

  const update = (patch: Partial<DestinationForm>) => {
    const next = { ...form, ...patch };
    setForm(next);
    name.suggest(suggestName(next.bucket));
    setProblems((p) => clearProblems(p, patch));
  };

  const add = useAction(async () => {
    const found: FieldProblems = checkForm(form, { secretSaved: false });
    setProblems(found);
    if (!name.check() || Object.keys(found).length > 0) return;
    onAdded(await api().call('sources.addBucket', { name: name.name, settings: bucketSourceDraft(form) }));
  });

  return (
    <form
      className="editor source-form"
      aria-label="New bucket source"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void add.run();
      }}
    >
      <NameField
        id={id}
        {...name.field}
        help="A short name for this bucket in Strata and in the backups, e.g. photos-primary."
      />
      <ProviderSelect id={id} value={form.provider} offered={CLOUD} update={update} />
      <p className="provider-help">
        {meta.keysHelp} A backup only lists and reads the bucket, so a read-only key is enough (restoring into it needs
        one that can write).
      </p>
      <S3Fields
        id={id}
        form={form}
        update={update}
        problems={problems}
        prefixHelp="Optional: back up only the keys under this prefix, like photos/."
      />
      <SourceFormEnd action={add} errorTitle="Could not add the bucket" submitLabel="Add bucket" onCancel={onCancel} />
    </form>
  );
}
