/**
 * Adds or edits a destination: provider presets decide which fields show (shared/providers.ts),
 * "Test connection" probes the unsaved settings, "Save" adds or updates. Secrets are typed once and
 * never shown again: when editing, an empty secret keeps the saved one. The layout (mirror or
 * vault, with its passphrase) is chosen when adding and only shown when editing. Below, what each
 * provider and class would charge for the data, with the draft's choice highlighted.
 */
import { useId, useState } from 'react';
import type { DestinationDraft, DestinationInfo, DestinationLayout, TestResult } from '../../../shared/api/entities.js';
import { NameField } from '../components/NameField.js';
import { useName } from '../components/useName.js';
import {
  PROVIDERS,
  checkForm,
  draftFromForm,
  emptyForm,
  formFromSettings,
  providerMeta,
  suggestName,
  type DestinationForm,
  type ProviderId,
} from '../../../shared/providers.js';
import { api } from '../api/client.js';
import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { FolderPicker } from '../components/FolderPicker.js';
import { ProviderSelect } from '../components/ProviderSelect.js';
import { S3Fields, clearProblems, type FieldProblems } from '../components/S3Fields.js';
import { useAction } from '../components/useAction.js';
import { ChangePassphraseDialog } from './ChangePassphraseDialog.js';
import { LayoutChoice } from './LayoutChoice.js';
import { LayoutLine } from './LayoutLine.js';
import { EMPTY_PAIR, passphraseProblems, type PassphraseProblems } from './passphrase-form.js';
import { ProviderComparison } from './ProviderComparison.js';
import { TestResultView } from './TestResultView.js';
import './vault.css';

interface Props {
  /** Editing this one; otherwise adding. */
  existing?: DestinationInfo | undefined;
  initialProvider?: ProviderId;
  /** Providers offered in the Provider select (all by default); one hides the select. */
  providers?: readonly ProviderId[];
  onSaved: (info: DestinationInfo) => void;
  onCancel?: () => void;
  /** The save button's words (default "Save"). */
  submitLabel?: string;
}

export function DestinationEditor({
  existing,
  initialProvider = 'local',
  providers,
  onSaved,
  onCancel,
  submitLabel = 'Save',
}: Props) {
  const id = useId();
  const name = useName(existing?.name ?? '', Boolean(existing));
  const [form, setForm] = useState<DestinationForm>(() =>
    existing ? formFromSettings(existing.settings) : emptyForm(initialProvider),
  );
  const [problems, setProblems] = useState<FieldProblems>({});
  const [tested, setTested] = useState<TestResult | null>(null);
  const [layout, setLayout] = useState<DestinationLayout>('mirror');
  const [pair, setPair] = useState(EMPTY_PAIR);
  const [pairProblems, setPairProblems] = useState<PassphraseProblems>({});
  const [changingPassphrase, setChangingPassphrase] = useState(false);
  const [passphraseChanged, setPassphraseChanged] = useState(false);
  // Open at first when a custom endpoint is saved; after that the user decides.
  const [advancedOpen] = useState(() => Boolean(existing && formFromSettings(existing.settings).endpoint));
  const meta = providerMeta(form.provider);
  const secretSaved = Boolean(existing?.secretSaved && existing.settings.kind === 's3');
  const offered = PROVIDERS.filter((p) => !providers || providers.includes(p.id));

  const update = (patch: Partial<DestinationForm>) => {
    const next = { ...form, ...patch };
    setForm(next);
    name.suggest(suggestName(next.provider === 'local' ? next.path : next.bucket));
    setTested(null);
    setProblems((p) => clearProblems(p, patch));
  };

  const validate = (needName: boolean): boolean => {
    const found: FieldProblems = checkForm(form, { secretSaved });
    const nameOk = !needName || name.check();
    setProblems(found);
    // A mismatch matters only to Save; Test connection tries what is typed against a vault already there.
    const vaultFound = needName && !existing && layout === 'vault' ? passphraseProblems(pair) : {};
    setPairProblems(vaultFound);
    return nameOk && Object.keys(found).length === 0 && Object.keys(vaultFound).length === 0;
  };

  /** A new vault carries its layout and passphrase; a mirror's draft stays as it always was. */
  const addDraft = (): DestinationDraft => {
    const draft = draftFromForm(form);
    return layout === 'vault' ? { ...draft, layout, repoPassphrase: pair.passphrase } : draft;
  };

  const test = useAction(async () => {
    setTested(null);
    if (!validate(false)) return;
    const form_ = draftFromForm(form);
    // A new draft says its layout (and any passphrase typed), so the test tells a mirror folder or a
    // wrong passphrase now; an existing destination is tested with its saved layout and passphrase.
    const settings: DestinationDraft =
      existing || layout !== 'vault'
        ? form_
        : { ...form_, layout, ...(pair.passphrase ? { repoPassphrase: pair.passphrase } : {}) };
    const result = await api().call('destinations.test', existing ? { name: existing.name, settings } : { settings });
    setTested(result);
  });

  const save = useAction(async () => {
    if (!validate(true)) return;
    const info = existing
      ? await api().call('destinations.update', { name: existing.name, settings: draftFromForm(form) })
      : await api().call('destinations.add', { name: name.name, settings: addDraft() });
    onSaved(info);
  });

  return (
    <>
      <form
        className="editor"
        aria-label={existing ? `Edit destination ${existing.name}` : 'New destination'}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save.run();
        }}
      >
        <NameField
          id={id}
          {...name.field}
          disabled={Boolean(existing)}
          help={
            existing
              ? 'The name cannot be changed.'
              : 'Letters, digits, dots, dashes or underscores; shown in the folder tree’s columns.'
          }
        />

        <ProviderSelect id={id} value={form.provider} offered={offered} update={update} />
        <p className="provider-help">{meta.keysHelp}</p>

        {meta.kind === 'local' ? (
          <FolderPicker value={form.path} onChange={(path) => update({ path })} problem={problems.path} />
        ) : (
          <S3Fields
            id={id}
            form={form}
            update={update}
            problems={problems}
            prefixHelp="Optional: a folder inside the bucket, like backups/laptop."
            secretSaved={secretSaved}
            advancedOpen={advancedOpen}
            storageClass
          />
        )}

        {existing ? (
          <LayoutLine
            id={id}
            layout={existing.settings.layout ?? 'mirror'}
            onChangePassphrase={() => {
              setPassphraseChanged(false);
              setChangingPassphrase(true);
            }}
          />
        ) : (
          <LayoutChoice
            id={id}
            layout={layout}
            onLayout={(l) => {
              setLayout(l);
              setPairProblems({});
            }}
            pair={pair}
            problems={pairProblems}
            onPair={(patch) => {
              setPair((p) => ({ ...p, ...patch }));
              setPairProblems({});
            }}
          />
        )}
        {passphraseChanged ? (
          <p className="field-help" role="status">
            The passphrase of {existing?.name} was changed.
          </p>
        ) : null}

        <ErrorBanner error={test.error} title="Could not test" />
        <ErrorBanner error={save.error} title="Could not save" />
        {tested ? <TestResultView result={tested} /> : null}

        <div className="actions">
          <Button onClick={() => void test.run()} busy={test.busy}>
            Test connection
          </Button>
          <Button type="submit" variant="primary" busy={save.busy}>
            {submitLabel}
          </Button>
          {onCancel ? <Button onClick={onCancel}>Cancel</Button> : null}
        </div>

        <ProviderComparison destination={existing?.name} provider={form.provider} storageClass={form.storageClass} />
      </form>
      {/* Outside the editor's form: the dialog has a form of its own. */}
      {changingPassphrase && existing ? (
        <ChangePassphraseDialog
          destination={existing.name}
          onDone={() => {
            setChangingPassphrase(false);
            setPassphraseChanged(true);
          }}
          onClose={() => setChangingPassphrase(false)}
        />
      ) : null}
    </>
  );
}
