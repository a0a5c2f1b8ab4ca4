/**
 * The fields of an S3-compatible bucket, shaped by the provider's preset (shared/providers.ts): the
 * account id or endpoint, the region, bucket, prefix, keys, storage class, and the Advanced part
 * (custom endpoint, path style). Used by the destination editor and by the bucket source form, so a
 * bucket is asked for the same way whichever side of a backup it is on.
 */
import type { ReactNode } from 'react';
import { providerMeta, r2Endpoint, type DestinationForm, type ProviderField } from '../../../shared/providers.js';
import { FieldNotes } from './FieldNotes.js';

export type FieldProblems = Partial<Record<ProviderField, string>>;

/** The problems left once the fields in `patch` changed: a field being edited no longer shows its old problem. */
export function clearProblems(problems: FieldProblems, patch: Partial<DestinationForm>): FieldProblems {
  const rest = { ...problems };
  for (const k of Object.keys(patch)) delete rest[k as ProviderField];
  return rest;
}

interface Props {
  /** Prefix for the controls' ids. */
  id: string;
  form: DestinationForm;
  update: (patch: Partial<DestinationForm>) => void;
  problems: FieldProblems;
  /** Help under the prefix field. */
  prefixHelp: string;
  /** A secret is saved: an empty secret field keeps it. */
  secretSaved?: boolean;
  /** Open the Advanced part at first (a custom endpoint is saved). */
  advancedOpen?: boolean;
  /** Offer the provider's storage classes (destinations write; a source only reads). */
  storageClass?: boolean;
  /** Help under the secret field, when it is not kept in the secret store (a restore's one-time bucket). */
  secretHelp?: string;
}

export function S3Fields({
  id,
  form,
  update,
  problems,
  prefixHelp,
  secretSaved = false,
  advancedOpen = false,
  storageClass = false,
  secretHelp,
}: Props) {
  const meta = providerMeta(form.provider);

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

  return (
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
      {text('prefix', 'Prefix', prefixHelp)}
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
        secretHelp ?? (secretSaved ? 'Saved — leave empty to keep' : 'Kept in the secret store, never shown again.'),
      )}
      {storageClass && meta.storageClasses.length > 0
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
}
