import { describe, expect, it } from 'vitest';
import { S3_PROVIDERS, type S3DestinationConfig } from '../../electron/engine/destinations/config.js';
import { S3_PRESETS, resolveS3Settings } from '../../electron/engine/destinations/s3/presets.js';
import { DestinationDraft, S3ProviderId } from '../../shared/api/entities.js';
import {
  PROVIDERS,
  checkForm,
  draftFromForm,
  emptyForm,
  formFromSettings,
  providerMeta,
  r2AccountId,
  r2Endpoint,
  suggestName,
  type DestinationForm,
} from '../../shared/providers.js';

const s3Meta = PROVIDERS.filter((p) => p.kind === 's3');

/** A filled-in form for a provider, as a user would leave it. */
function filled(provider: DestinationForm['provider']): DestinationForm {
  const meta = providerMeta(provider);
  return {
    ...emptyForm(provider),
    bucket: 'ada-backups',
    prefix: 'laptop',
    accessKeyId: 'AKID',
    secretAccessKey: 'secret',
    accountId: provider === 'r2' ? '0123456789abcdef0123456789abcdef' : '',
    endpoint: meta.endpointRequired ? 'http://127.0.0.1:9000' : '',
    region: meta.regionInput === 'select' ? meta.regions[0]!.id : '',
  };
}

function engineConfig(form: DestinationForm): S3DestinationConfig {
  const draft = draftFromForm(form);
  if (draft.kind !== 's3') throw new Error('expected an S3 draft');
  const { secretAccessKey: _secret, ...config } = draft;
  return config;
}

describe('provider metadata', () => {
  it('offers local plus exactly the engine’s S3 providers', () => {
    expect(PROVIDERS[0]!.id).toBe('local');
    expect(s3Meta.map((p) => p.id).sort()).toEqual([...S3_PROVIDERS].sort());
    expect(s3Meta.map((p) => p.id).sort()).toEqual([...S3ProviderId.options].sort());
    expect(PROVIDERS.map((p) => p.label)).toEqual([
      'Local folder',
      'AWS S3',
      'Cloudflare R2',
      'Backblaze B2',
      'Wasabi',
      'MinIO',
      'Other S3-compatible',
    ]);
  });

  it.each(s3Meta.map((m) => [m.id, m] as const))('%s agrees with the engine preset', (id, meta) => {
    const preset = S3_PRESETS[id as S3DestinationConfig['provider']];
    // Storage classes offered are ones the engine accepts.
    if (preset.storageClasses !== undefined) {
      for (const c of meta.storageClasses) expect(preset.storageClasses).toContain(c);
    }
    expect(meta.pathStyle).toBe(preset.pathStyle);
    expect(meta.defaultRegion).toBe(preset.defaultRegion);
    // An endpoint the engine requires is asked for (R2: built from the Account ID).
    if (preset.requiresEndpoint) {
      expect(meta.endpointRequired || meta.fields.includes('accountId')).toBe(true);
    }
    // A region the engine cannot default is asked for.
    if (preset.defaultRegion === undefined) expect(meta.fields).toContain('region');
    expect(meta.keysHelp.length).toBeGreaterThan(20);
  });

  it.each(s3Meta.map((m) => [m.id] as const))('%s: a filled-in form resolves in the engine', (id) => {
    const form = filled(id);
    expect(checkForm(form, { secretSaved: false })).toEqual({});
    const draft = draftFromForm(form);
    expect(DestinationDraft.safeParse(draft).success).toBe(true);
    const resolved = resolveS3Settings(engineConfig(form));
    expect(resolved.bucket).toBe('ada-backups');
    expect(resolved.prefix).toBe('laptop');
    for (const storageClass of providerMeta(id).storageClasses) {
      expect(() => resolveS3Settings(engineConfig({ ...form, storageClass }))).not.toThrow();
    }
  });

  it('builds the R2 endpoint from the Account ID the way the engine documents it', () => {
    const id = '0123456789abcdef0123456789abcdef';
    expect(r2Endpoint(id)).toBe(S3_PRESETS.r2.endpointPattern!.replace('<accountId>', id));
    expect(r2AccountId(r2Endpoint(id))).toBe(id);
    expect(r2AccountId('https://x.eu.r2.cloudflarestorage.com')).toBeUndefined();
    const resolved = resolveS3Settings(engineConfig(filled('r2')));
    expect(resolved.endpoint).toBe(r2Endpoint(id));
    expect(resolved.region).toBe('auto');
  });

  it('lets B2 and Wasabi regions derive the engine’s endpoint, and a custom endpoint override it', () => {
    const b2 = providerMeta('b2');
    for (const r of b2.regions) {
      const resolved = resolveS3Settings(engineConfig({ ...filled('b2'), region: r.id }));
      expect(resolved.endpoint).toBe(`https://s3.${r.id}.backblazeb2.com`);
    }
    expect(b2.regions.map((r) => r.id)).toEqual([
      'us-west-000',
      'us-west-001',
      'us-west-002',
      'us-west-004',
      'us-east-005',
      'eu-central-003',
      'ca-east-006',
    ]);
    for (const r of providerMeta('wasabi').regions) {
      expect(resolveS3Settings(engineConfig({ ...filled('wasabi'), region: r.id })).endpoint).toBe(
        `https://s3.${r.id}.wasabisys.com`,
      );
    }
    const custom = resolveS3Settings(engineConfig({ ...filled('aws'), endpoint: 'https://s3.example.net' }));
    expect(custom.endpoint).toBe('https://s3.example.net');
  });

  it('round-trips saved settings through the form without the secret', () => {
    const saved = {
      kind: 's3' as const,
      provider: 'r2' as const,
      bucket: 'b',
      prefix: 'p',
      region: 'auto',
      endpoint: r2Endpoint('abcdef0123456789'),
      accessKeyId: 'AK',
    };
    const form = formFromSettings(saved);
    expect(form.accountId).toBe('abcdef0123456789');
    expect(form.endpoint).toBe('');
    expect(form.secretAccessKey).toBe('');
    expect(checkForm(form, { secretSaved: true })).toEqual({});
    expect(checkForm(form, { secretSaved: false })).toEqual({ secretAccessKey: 'Give the secret access key' });
    expect(draftFromForm(form)).toEqual(saved);
  });

  it('sends path style only when it differs from the provider default', () => {
    expect(draftFromForm({ ...filled('minio'), pathStyle: true })).not.toHaveProperty('pathStyle');
    expect(draftFromForm({ ...filled('minio'), pathStyle: false })).toMatchObject({ pathStyle: false });
    expect(draftFromForm({ ...filled('aws'), pathStyle: true })).toMatchObject({ pathStyle: true });
  });

  it('names what is missing and suggests names', () => {
    expect(checkForm(emptyForm('local'), { secretSaved: false })).toEqual({ path: 'Choose a folder' });
    expect(Object.keys(checkForm(emptyForm('b2'), { secretSaved: false })).sort()).toEqual([
      'accessKeyId',
      'bucket',
      'region',
      'secretAccessKey',
    ]);
    expect(Object.keys(checkForm(emptyForm('minio'), { secretSaved: false }))).toContain('endpoint');
    expect(Object.keys(checkForm(emptyForm('r2'), { secretSaved: false }))).toContain('accountId');
    expect(suggestName('/media/Backup Disk/')).toBe('Backup-Disk');
    expect(suggestName('/home/ada/.config')).toBe('config');
    expect(suggestName('/')).toBe('');
  });
});
