/**
 * Adds or edits a destination: provider presets decide which fields show (shared/providers.ts),
 * "Test connection" probes the unsaved settings, "Save" adds or updates. Secrets are typed once and
 * never shown again: when editing, an empty secret keeps the saved one.
 */
import { useId, useState, type ReactNode } from 'react';
import { FieldNotes } from '../components/FieldNotes.js';
import type { DestinationInfo, TestResult } from '../../../shared/api/entities.js';
import { NameField, nameProblem } from '../components/NameField.js';
import {
  PROVIDERS,
  checkForm,
  draftFromForm,
  emptyForm,
  formFromSettings,
  providerMeta,
  r2Endpoint,
  suggestName,
  type DestinationForm,
  type ProviderField,
  type ProviderId,
} from '../../../shared/providers.js';
import { api } from '../api/client.js';
import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { FolderPicker } from '../components/FolderPicker.js';
import { useAction } from '../components/useAction.js';
import { TestResultView } from './TestResultView.js';

interface Props {
  /** Editing this one; otherwise adding. */
  existing?: DestinationInfo | undefined;
  initialProvider?: ProviderId;
  /** Providers offered in the Provider select (all by default); one hides the select. */
  providers?: readonly ProviderId[];
  onSaved: (info: DestinationInfo) => void;
  onCancel?: () => void;
}

type Problems = Partial<Record<ProviderField | 'name', string>>;

export function DestinationEditor({ existing, initialProvider = 'local', providers, onSaved, onCancel }: Props) {
  const id = useId();
  const [name, setName] = useState(existing?.name ?? '');
  const [nameTouched, setNameTouched] = useState(Boolean(existing));
  const [form, setForm] = useState<DestinationForm>(() =>
    existing ? formFromSettings(existing.settings) : emptyForm(initialProvider),
  );
  const [problems, setProblems] = useState<Problems>({});
  const [tested, setTested] = useState<TestResult | null>(null);
  // Open at first when a custom endpoint is saved; after that the user decides.
  const [advancedOpen] = useState(() => Boolean(existing && formFromSettings(existing.settings).endpoint));
  const meta = providerMeta(form.provider);
  const secretSaved = Boolean(existing?.secretSaved && existing.settings.kind === 's3');
  const offered = PROVIDERS.filter((p) => !providers || providers.includes(p.id));

  const update = (patch: Partial<DestinationForm>) => {
    const next = { ...form, ...patch };
    setForm(next);
    if (!nameTouched) setName(suggestName(next.provider === 'local' ? next.path : next.bucket));
    setTested(null);
    setProblems((p) => {
      const rest = { ...p };
      for (const k of Object.keys(patch)) delete rest[k as ProviderField];
      return rest;
    });
  };

  const validate = (needName: boolean): boolean => {
    const found: Problems = checkForm(form, { secretSaved });
    if (needName) {
      const problem = nameProblem(name);
      if (problem) found.name = problem;
    }
    setProblems(found);
    return Object.keys(found).length === 0;
  };

  const test = useAction(async () => {
    setTested(null);
    if (!validate(false)) return;
    const settings = draftFromForm(form);
    const result = await api().call('destinations.test', existing ? { name: existing.name, settings } : { settings });
    setTested(result);
  });

  const save = useAction(async () => {
    if (!validate(true)) return;
    const settings = draftFromForm(form);
    const info = existing
      ? await api().call('destinations.update', { name: existing.name, settings })
      : await api().call('destinations.add', { name, settings });
    onSaved(info);
  });

  const field = (
    key: ProviderField,
    label: string,
    control: (props: { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string }) => ReactNode,
    help?: ReactNode,
  ) => {
    const fid = `${id}-${key}`;
    const problem = problems[key];
    const describedBy = [problem ? `${fid}-problem` : '', help ? `${fid}-help` : ''].filter(Boolean).join(' ');
    return (
      <div className="field" key={key}>
        <label htmlFor={fid}>{label}</label>
        {control({
          id: fid,
          ...(problem ? { 'aria-invalid': true as const } : {}),
          ...(describedBy ? { 'aria-describedby': describedBy } : {}),
        })}
        <FieldNotes id={fid} problem={problem} help={help} />
      </div>
    );
  };

  const text = (key: keyof DestinationForm & ProviderField, label: string, help?: ReactNode, placeholder?: string) =>
    field(
      key,
      label,
      (p) => (
        <input
          {...p}
          className="input"
          type="text"
          spellCheck={false}
          autoComplete="off"
          placeholder={placeholder}
          value={form[key] as string}
          onChange={(e) => update({ [key]: e.target.value })}
        />
      ),
      help,
    );

  const regionField = () => {
    if (meta.regionInput === 'none') return null;
    const help = meta.regionHelp;
    if (meta.regionInput === 'select') {
      const value = form.region || meta.defaultRegion || '';
      const known = meta.regions.some((r) => r.id === value);
      return field(
        'region',
        'Region',
        (p) => (
          <select {...p} className="input" value={value} onChange={(e) => update({ region: e.target.value })}>
            {meta.defaultRegion === undefined ? <option value="">Choose a region</option> : null}
            {!known && value ? <option value={value}>{value}</option> : null}
            {meta.regions.map((r) => (
              <option key={r.id} value={r.id}>
                {r.place ? `${r.id} (${r.place})` : r.id}
              </option>
            ))}
          </select>
        ),
        help,
      );
    }
    return field(
      'region',
      'Region',
      (p) => (
        <>
          <input
            {...p}
            className="input"
            type="text"
            list={meta.regions.length ? `${id}-regions` : undefined}
            spellCheck={false}
            autoComplete="off"
            placeholder={meta.defaultRegion}
            value={form.region}
            onChange={(e) => update({ region: e.target.value })}
          />
          {meta.regions.length ? (
            <datalist id={`${id}-regions`}>
              {meta.regions.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.place}
                </option>
              ))}
            </datalist>
          ) : null}
        </>
      ),
      help,
    );
  };

  const s3Fields = () => (
    <>
      {meta.fields.includes('accountId')
        ? text(
            'accountId',
            'Account ID',
            form.accountId.trim() ? `Endpoint: ${r2Endpoint(form.accountId.trim())}` : undefined,
          )
        : null}
      {meta.fields.includes('endpoint') ? text('endpoint', 'Endpoint URL', undefined, meta.endpointExample) : null}
      {meta.fields.includes('region') ? regionField() : null}
      {text('bucket', 'Bucket')}
      {text('prefix', 'Prefix', 'Optional: a folder inside the bucket, like backups/laptop.')}
      {text('accessKeyId', 'Access key ID')}
      {field(
        'secretAccessKey',
        'Secret access key',
        (p) => (
          <input
            {...p}
            className="input"
            type="password"
            autoComplete="new-password"
            spellCheck={false}
            placeholder={secretSaved ? 'Saved — leave empty to keep' : undefined}
            value={form.secretAccessKey}
            onChange={(e) => update({ secretAccessKey: e.target.value })}
          />
        ),
        secretSaved ? 'Saved — leave empty to keep' : 'Kept in the secret store, never shown again.',
      )}
      {meta.storageClasses.length > 0
        ? field('storageClass', 'Storage class', (p) => (
            <select
              {...p}
              className="input"
              value={form.storageClass}
              onChange={(e) => update({ storageClass: e.target.value })}
            >
              <option value="">Provider default ({meta.storageClasses[0]})</option>
              {meta.storageClasses.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          ))
        : null}
      <details className="advanced" open={advancedOpen || undefined}>
        <summary>Advanced</summary>
        {!meta.endpointRequired
          ? text(
              'endpoint',
              'Endpoint URL',
              meta.id === 'r2'
                ? 'Leave empty to use your account’s endpoint. For an EU-jurisdiction bucket, give its endpoint.'
                : `Leave empty for ${meta.label}'s own endpoint; give one to use another server.`,
              meta.endpointExample,
            )
          : null}
        <div className="field field-check">
          <input
            id={`${id}-pathstyle`}
            type="checkbox"
            checked={form.pathStyle ?? meta.pathStyle}
            onChange={(e) => update({ pathStyle: e.target.checked })}
          />
          <label htmlFor={`${id}-pathstyle`}>Path-style addressing</label>
          <p className="field-help">
            Puts the bucket in the URL path instead of the host name. Needed by most self-hosted servers.
          </p>
        </div>
      </details>
    </>
  );

  return (
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
        value={name}
        disabled={Boolean(existing)}
        problem={problems.name}
        onChange={(typed) => {
          setName(typed);
          setNameTouched(true);
          setProblems(({ name: _drop, ...rest }) => rest);
        }}
        help={
          existing
            ? 'The name cannot be changed.'
            : 'Letters, digits, dots, dashes or underscores; shown in the folder tree’s columns.'
        }
      />

      {offered.length > 1 ? (
        <div className="field">
          <label htmlFor={`${id}-provider`}>Provider</label>
          <select
            id={`${id}-provider`}
            className="input"
            value={form.provider}
            onChange={(e) =>
              update({ provider: e.target.value as ProviderId, region: '', storageClass: '', pathStyle: undefined })
            }
          >
            {offered.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <p className="provider-help">{meta.keysHelp}</p>

      {meta.kind === 'local' ? (
        <FolderPicker value={form.path} onChange={(path) => update({ path })} problem={problems.path} />
      ) : (
        s3Fields()
      )}

      <ErrorBanner error={test.error} title="Could not test" />
      <ErrorBanner error={save.error} title="Could not save" />
      {tested ? <TestResultView result={tested} /> : null}

      <div className="actions">
        <Button onClick={() => void test.run()} busy={test.busy}>
          Test connection
        </Button>
        <Button type="submit" variant="primary" busy={save.busy}>
          Save
        </Button>
        {onCancel ? <Button onClick={onCancel}>Cancel</Button> : null}
      </div>
    </form>
  );
}
