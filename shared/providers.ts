/**
 * What the destination editor needs to know about each provider: which fields to ask for, the
 * regions and storage classes to offer, how an endpoint is built, and where the user finds keys.
 * Pure data and functions (no node: imports) so the renderer and tests can share it. A unit test
 * keeps it in step with the engine's S3 presets.
 */
import type { DestinationDraft, DestinationSettings, S3ProviderId } from './api/entities.js';

export type ProviderId = 'local' | S3ProviderId;

/** Fields shown in the main part of the form (Advanced holds the custom endpoint and path style). */
export type ProviderField =
  | 'path'
  | 'accountId'
  | 'endpoint'
  | 'region'
  | 'bucket'
  | 'prefix'
  | 'storageClass'
  | 'accessKeyId'
  | 'secretAccessKey';

export interface RegionOption {
  id: string;
  /** Where it is, in words; '' when the id says enough. */
  place: string;
}

export interface ProviderMeta {
  id: ProviderId;
  label: string;
  kind: 'local' | 's3';
  fields: readonly ProviderField[];
  /** 'select': only these regions (plus a custom endpoint under Advanced); 'text': free text with suggestions. */
  regionInput: 'select' | 'text' | 'none';
  regions: readonly RegionOption[];
  /** Region used when none is chosen (the engine's default); undefined: the user must choose. */
  defaultRegion: string | undefined;
  /** Storage classes offered in the editor; [] hides the field (the provider default is used). */
  storageClasses: readonly string[];
  /** The user must type an endpoint URL in the main form. */
  endpointRequired: boolean;
  /** Path-style addressing unless the user changes it under Advanced. */
  pathStyle: boolean;
  /** Example for the endpoint field. */
  endpointExample: string;
  /** Where the keys (and account details) are found, one or two sentences. */
  keysHelp: string;
  /** Extra help under the region field. */
  regionHelp?: string;
}

const S3_FIELDS = ['bucket', 'prefix', 'accessKeyId', 'secretAccessKey'] as const;

export const AWS_REGIONS: readonly RegionOption[] = [
  { id: 'us-east-1', place: 'N. Virginia' },
  { id: 'us-east-2', place: 'Ohio' },
  { id: 'us-west-1', place: 'N. California' },
  { id: 'us-west-2', place: 'Oregon' },
  { id: 'ca-central-1', place: 'Canada Central' },
  { id: 'sa-east-1', place: 'São Paulo' },
  { id: 'eu-west-1', place: 'Ireland' },
  { id: 'eu-west-2', place: 'London' },
  { id: 'eu-west-3', place: 'Paris' },
  { id: 'eu-central-1', place: 'Frankfurt' },
  { id: 'eu-central-2', place: 'Zurich' },
  { id: 'eu-north-1', place: 'Stockholm' },
  { id: 'eu-south-1', place: 'Milan' },
  { id: 'ap-south-1', place: 'Mumbai' },
  { id: 'ap-northeast-1', place: 'Tokyo' },
  { id: 'ap-northeast-2', place: 'Seoul' },
  { id: 'ap-southeast-1', place: 'Singapore' },
  { id: 'ap-southeast-2', place: 'Sydney' },
  { id: 'af-south-1', place: 'Cape Town' },
  { id: 'me-south-1', place: 'Bahrain' },
];

export const B2_REGIONS: readonly RegionOption[] = [
  { id: 'us-west-000', place: 'US West' },
  { id: 'us-west-001', place: 'US West' },
  { id: 'us-west-002', place: 'US West' },
  { id: 'us-west-004', place: 'US West' },
  { id: 'us-east-005', place: 'US East' },
  { id: 'eu-central-003', place: 'EU Central (Amsterdam)' },
  { id: 'ca-east-006', place: 'Canada East' },
];

export const WASABI_REGIONS: readonly RegionOption[] = [
  { id: 'us-east-1', place: 'N. Virginia' },
  { id: 'us-east-2', place: 'N. Virginia' },
  { id: 'us-central-1', place: 'Texas' },
  { id: 'us-west-1', place: 'Oregon' },
  { id: 'ca-central-1', place: 'Toronto' },
  { id: 'eu-central-1', place: 'Amsterdam' },
  { id: 'eu-central-2', place: 'Frankfurt' },
  { id: 'eu-west-1', place: 'London' },
  { id: 'eu-west-2', place: 'Paris' },
  { id: 'eu-south-1', place: 'Milan' },
  { id: 'ap-northeast-1', place: 'Tokyo' },
  { id: 'ap-northeast-2', place: 'Osaka' },
  { id: 'ap-southeast-1', place: 'Singapore' },
  { id: 'ap-southeast-2', place: 'Sydney' },
];

export const PROVIDERS: readonly ProviderMeta[] = [
  {
    id: 'local',
    label: 'Local folder',
    kind: 'local',
    fields: ['path'],
    regionInput: 'none',
    regions: [],
    defaultRegion: undefined,
    storageClasses: [],
    endpointRequired: false,
    pathStyle: false,
    endpointExample: '',
    keysHelp: 'A folder on this computer, an external disk or a mounted NAS share. No keys needed.',
  },
  {
    id: 'aws',
    label: 'AWS S3',
    kind: 's3',
    fields: ['region', ...S3_FIELDS, 'storageClass'],
    regionInput: 'text',
    regions: AWS_REGIONS,
    defaultRegion: 'us-east-1',
    storageClasses: ['STANDARD', 'INTELLIGENT_TIERING', 'STANDARD_IA', 'ONEZONE_IA', 'GLACIER_IR'],
    endpointRequired: false,
    pathStyle: false,
    endpointExample: 'https://s3.us-east-1.amazonaws.com',
    keysHelp:
      'In the AWS console open IAM → Users → your backup user → Security credentials → Create access key. ' +
      'The user needs s3:ListBucket, s3:GetObject, s3:PutObject and s3:DeleteObject on the bucket.',
    regionHelp: "The bucket's region, shown next to it in the S3 console.",
  },
  {
    id: 'r2',
    label: 'Cloudflare R2',
    kind: 's3',
    fields: ['accountId', ...S3_FIELDS, 'storageClass'],
    regionInput: 'none',
    regions: [],
    defaultRegion: 'auto',
    storageClasses: ['STANDARD', 'STANDARD_IA'],
    endpointRequired: false,
    pathStyle: true,
    endpointExample: 'https://<account-id>.eu.r2.cloudflarestorage.com',
    keysHelp:
      'In the Cloudflare dashboard open R2 → Manage R2 API Tokens → Create API token with Object Read & Write. ' +
      'The Account ID is shown on the R2 overview page.',
  },
  {
    id: 'b2',
    label: 'Backblaze B2',
    kind: 's3',
    fields: ['region', ...S3_FIELDS],
    regionInput: 'select',
    regions: B2_REGIONS,
    defaultRegion: undefined,
    storageClasses: [],
    endpointRequired: false,
    pathStyle: false,
    endpointExample: 'https://s3.us-west-004.backblazeb2.com',
    keysHelp:
      'In the Backblaze web app open Application Keys → Add a New Application Key. ' +
      'The keyID is the access key ID and the applicationKey is the secret (shown only once).',
    regionHelp:
      'The part after "s3." in the bucket\'s endpoint on the Buckets page, e.g. s3.us-west-004.backblazeb2.com.',
  },
  {
    id: 'wasabi',
    label: 'Wasabi',
    kind: 's3',
    fields: ['region', ...S3_FIELDS],
    regionInput: 'select',
    regions: WASABI_REGIONS,
    defaultRegion: 'us-east-1',
    storageClasses: [],
    endpointRequired: false,
    pathStyle: false,
    endpointExample: 'https://s3.eu-central-1.wasabisys.com',
    keysHelp: 'In the Wasabi console open Access Keys → Create New Access Key.',
    regionHelp: 'The region the bucket was created in, shown in the Wasabi console bucket list.',
  },
  {
    id: 'minio',
    label: 'MinIO',
    kind: 's3',
    fields: ['endpoint', ...S3_FIELDS],
    regionInput: 'none',
    regions: [],
    defaultRegion: 'us-east-1',
    storageClasses: [],
    endpointRequired: true,
    pathStyle: true,
    endpointExample: 'http://nas.local:9000',
    keysHelp: 'In the MinIO Console open Access Keys → Create access key.',
  },
  {
    id: 'other',
    label: 'Other S3-compatible',
    kind: 's3',
    fields: ['endpoint', 'region', ...S3_FIELDS],
    regionInput: 'text',
    regions: [],
    defaultRegion: 'us-east-1',
    storageClasses: [],
    endpointRequired: true,
    pathStyle: true,
    endpointExample: 'https://s3.example.com',
    keysHelp: "Create an S3 access key in your provider's console; its documentation names the endpoint URL.",
    regionHelp: 'Leave empty unless your provider names one (us-east-1 is used).',
  },
];

export function providerMeta(id: ProviderId): ProviderMeta {
  return PROVIDERS.find((p) => p.id === id) ?? PROVIDERS[0]!;
}

export function providerLabel(id: string): string {
  return PROVIDERS.find((p) => p.id === id)?.label ?? id;
}

/** Cloudflare R2's S3 endpoint for an account. */
export function r2Endpoint(accountId: string): string {
  return `https://${accountId}.r2.cloudflarestorage.com`;
}

const R2_ENDPOINT = /^https:\/\/([0-9a-fA-F]{8,64})\.r2\.cloudflarestorage\.com\/?$/;

/** The account id in a standard R2 endpoint, or undefined (another jurisdiction or a custom URL). */
export function r2AccountId(endpoint: string | undefined): string | undefined {
  return endpoint ? R2_ENDPOINT.exec(endpoint)?.[1] : undefined;
}

/** The editor's form, as typed. */
export interface DestinationForm {
  provider: ProviderId;
  path: string;
  bucket: string;
  prefix: string;
  region: string;
  accountId: string;
  /** The main endpoint field (MinIO, other) or the Advanced custom endpoint (the rest). */
  endpoint: string;
  storageClass: string;
  /** undefined: the provider's default. */
  pathStyle: boolean | undefined;
  accessKeyId: string;
  /** '' keeps the saved secret when editing. */
  secretAccessKey: string;
}

export function emptyForm(provider: ProviderId = 'local'): DestinationForm {
  return {
    provider,
    path: '',
    bucket: '',
    prefix: '',
    region: '',
    accountId: '',
    endpoint: '',
    storageClass: '',
    pathStyle: undefined,
    accessKeyId: '',
    secretAccessKey: '',
  };
}

/** The form for a saved destination (the secret stays empty: it is never sent back). */
export function formFromSettings(settings: DestinationSettings): DestinationForm {
  if (settings.kind === 'local') return { ...emptyForm('local'), path: settings.path };
  const form: DestinationForm = {
    ...emptyForm(settings.provider),
    bucket: settings.bucket,
    prefix: settings.prefix ?? '',
    region: settings.region ?? '',
    endpoint: settings.endpoint ?? '',
    storageClass: settings.storageClass ?? '',
    pathStyle: settings.pathStyle,
    accessKeyId: settings.accessKeyId,
  };
  if (settings.provider === 'r2') {
    const accountId = r2AccountId(settings.endpoint);
    if (accountId) {
      form.accountId = accountId;
      form.endpoint = '';
    }
    if (form.region === 'auto') form.region = '';
  }
  return form;
}

/** What is missing before the form can be saved or tested, by field (empty object: ready). */
export function checkForm(
  form: DestinationForm,
  opts: { secretSaved: boolean },
): Partial<Record<ProviderField, string>> {
  const meta = providerMeta(form.provider);
  const problems: Partial<Record<ProviderField, string>> = {};
  if (meta.kind === 'local') {
    if (!form.path.trim()) problems.path = 'Choose a folder';
    return problems;
  }
  if (!form.bucket.trim()) problems.bucket = 'Give the bucket name';
  if (!form.accessKeyId.trim()) problems.accessKeyId = 'Give the access key ID';
  if (!form.secretAccessKey && !opts.secretSaved) problems.secretAccessKey = 'Give the secret access key';
  if (meta.id === 'r2' && !form.accountId.trim() && !form.endpoint.trim()) problems.accountId = 'Give the Account ID';
  if (meta.endpointRequired && !form.endpoint.trim()) problems.endpoint = 'Give the endpoint URL';
  if (meta.regionInput === 'select' && meta.defaultRegion === undefined && !form.region && !form.endpoint.trim()) {
    problems.region = 'Choose the region';
  }
  return problems;
}

/** The settings to send for a form. The secret rides along only when typed. */
export function draftFromForm(form: DestinationForm): DestinationDraft {
  const meta = providerMeta(form.provider);
  if (meta.id === 'local') return { kind: 'local', path: form.path.trim() };
  const provider = meta.id as S3ProviderId;
  const endpointTyped = form.endpoint.trim();
  let endpoint: string | undefined = endpointTyped || undefined;
  let region: string | undefined = form.region.trim() || undefined;
  if (provider === 'r2') {
    region = 'auto';
    if (!endpoint && form.accountId.trim()) endpoint = r2Endpoint(form.accountId.trim());
  }
  const draft: DestinationDraft = {
    kind: 's3',
    provider,
    bucket: form.bucket.trim(),
    prefix: form.prefix.trim().replace(/^\/+|\/+$/g, ''),
    accessKeyId: form.accessKeyId.trim(),
  };
  if (region) draft.region = region;
  if (endpoint) draft.endpoint = endpoint;
  if (form.storageClass && meta.storageClasses.includes(form.storageClass)) draft.storageClass = form.storageClass;
  if (form.pathStyle !== undefined && form.pathStyle !== meta.pathStyle) draft.pathStyle = form.pathStyle;
  if (form.secretAccessKey) draft.secretAccessKey = form.secretAccessKey;
  return draft;
}

/** A destination name suggested from a folder path or bucket ('' when nothing usable). */
export function suggestName(from: string): string {
  const last =
    from
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? '';
  return last
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 63);
}
