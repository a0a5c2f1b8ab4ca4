import { StrataError } from '../../../../shared/errors.js';
import type { S3DestinationConfig, S3Provider } from '../config.js';

export type ChecksumMode = 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';

export interface S3ProviderPreset {
  provider: S3Provider;
  displayName: string;
  /** Shown in help and errors; '<region>' and '<accountId>' are placeholders. */
  endpointPattern: string | undefined;
  /** Builds the endpoint from the region when the user gave none. */
  endpointFor?: (region: string) => string;
  defaultRegion: string | undefined;
  requiresEndpoint: boolean;
  pathStyle: boolean;
  allowHttp: boolean;
  /** undefined: any class is passed through; [] : the provider has none to choose. */
  storageClasses: readonly string[] | undefined;
  requestChecksumCalculation: ChecksumMode;
  responseChecksumValidation: ChecksumMode;
  /** Send Content-MD5 instead of the SDK's CRC32 headers where a request must carry a checksum. */
  contentMd5: boolean;
}

// Third-party stores reject or choke on the SDK's default CRC32 headers (B2: 400, older R2: 501).
const compatChecksums = {
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
  contentMd5: true,
} as const;

export const S3_PRESETS: Readonly<Record<S3Provider, S3ProviderPreset>> = {
  aws: {
    provider: 'aws',
    displayName: 'AWS S3',
    endpointPattern: undefined,
    defaultRegion: 'us-east-1',
    requiresEndpoint: false,
    pathStyle: false,
    allowHttp: false,
    // Archive classes (GLACIER, DEEP_ARCHIVE) are left out: their objects cannot be read back without a thaw.
    storageClasses: ['STANDARD', 'INTELLIGENT_TIERING', 'STANDARD_IA', 'ONEZONE_IA', 'GLACIER_IR'],
    requestChecksumCalculation: 'WHEN_SUPPORTED',
    responseChecksumValidation: 'WHEN_SUPPORTED',
    contentMd5: false,
  },
  r2: {
    provider: 'r2',
    displayName: 'Cloudflare R2',
    endpointPattern: 'https://<accountId>.r2.cloudflarestorage.com',
    defaultRegion: 'auto',
    requiresEndpoint: true,
    // bucket.<account>.r2.cloudflarestorage.com is two levels under the wildcard certificate.
    pathStyle: true,
    allowHttp: false,
    storageClasses: ['STANDARD', 'STANDARD_IA'],
    ...compatChecksums,
  },
  b2: {
    provider: 'b2',
    displayName: 'Backblaze B2',
    endpointPattern: 'https://s3.<region>.backblazeb2.com',
    endpointFor: (region) => `https://s3.${region}.backblazeb2.com`,
    defaultRegion: undefined,
    requiresEndpoint: false,
    pathStyle: false,
    allowHttp: false,
    storageClasses: [],
    ...compatChecksums,
  },
  wasabi: {
    provider: 'wasabi',
    displayName: 'Wasabi',
    endpointPattern: 'https://s3.<region>.wasabisys.com',
    endpointFor: (region) => `https://s3.${region}.wasabisys.com`,
    defaultRegion: 'us-east-1',
    requiresEndpoint: false,
    pathStyle: false,
    allowHttp: false,
    storageClasses: ['STANDARD'],
    ...compatChecksums,
  },
  minio: {
    provider: 'minio',
    displayName: 'MinIO',
    endpointPattern: 'http(s)://<host>:<port>',
    defaultRegion: 'us-east-1',
    requiresEndpoint: true,
    pathStyle: true,
    allowHttp: true,
    storageClasses: ['STANDARD', 'REDUCED_REDUNDANCY'],
    ...compatChecksums,
  },
  other: {
    provider: 'other',
    displayName: 'the S3 server',
    endpointPattern: 'http(s)://<host>:<port>',
    defaultRegion: 'us-east-1',
    requiresEndpoint: true,
    pathStyle: true,
    allowHttp: true,
    storageClasses: undefined,
    ...compatChecksums,
  },
};

/** Everything the client and destination need, checked and with defaults filled in. */
export interface ResolvedS3Settings {
  preset: S3ProviderPreset;
  bucket: string;
  /** '' or 'a/b' (no leading or trailing slash). */
  prefix: string;
  region: string;
  /** undefined: the SDK resolves the AWS endpoint from the region. */
  endpoint: string | undefined;
  forcePathStyle: boolean;
  storageClass: string | undefined;
}

const DNS_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const B2_REGION_IN_ENDPOINT = /^s3\.([a-z0-9-]+)\.backblazeb2\.com$/;
const WASABI_REGION_IN_ENDPOINT = /^s3\.([a-z0-9-]+)\.wasabisys\.com$/;

function configError(message: string, hint: string): StrataError {
  return new StrataError('config', message, hint);
}

function checkBucket(preset: S3ProviderPreset, bucket: string): void {
  if (!bucket) throw configError('no bucket name given', 'pass --bucket NAME');
  if (preset.provider === 'other') {
    if (bucket.includes('/'))
      throw configError(`bucket name "${bucket}" contains '/'`, 'give the bucket name alone; put folders in --prefix');
    return;
  }
  if (!DNS_BUCKET.test(bucket) || bucket.includes('..')) {
    throw configError(
      `"${bucket}" is not a valid ${preset.displayName} bucket name`,
      'bucket names are 3-63 characters: lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit',
    );
  }
}

function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return '';
  for (const part of trimmed.split('/')) {
    if (part === '' || part === '.' || part === '..') {
      throw configError(`prefix "${prefix}" has an empty, '.' or '..' segment`, "use a prefix like 'backups/laptop'");
    }
  }
  return trimmed;
}

function parseEndpoint(preset: S3ProviderPreset, endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw configError(
      `endpoint "${endpoint}" is not a URL`,
      `use a full URL like ${preset.endpointPattern ?? 'https://s3.example.com'}`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw configError(
      `endpoint "${endpoint}" must start with https://`,
      `use a URL like ${preset.endpointPattern ?? 'https://s3.example.com'}`,
    );
  }
  if (url.protocol === 'http:' && !preset.allowHttp) {
    throw configError(
      `${preset.displayName} needs an https:// endpoint, got "${endpoint}"`,
      'use https://, or --provider other for a plain-http server you run yourself',
    );
  }
  if (url.username || url.password) {
    throw configError(
      'the endpoint URL must not carry a user name or password',
      'give the key with --access-key-id and the secret in STRATA_SECRET_ACCESS_KEY',
    );
  }
  if (url.search || url.hash)
    throw configError(`endpoint "${endpoint}" has a query or fragment`, 'give just scheme, host and port');
  return url;
}

/** Region named inside a provider's endpoint host, so `--endpoint` alone is enough for B2 and Wasabi. */
function regionFromEndpoint(preset: S3ProviderPreset, url: URL | undefined): string | undefined {
  if (!url) return undefined;
  const re =
    preset.provider === 'b2'
      ? B2_REGION_IN_ENDPOINT
      : preset.provider === 'wasabi'
        ? WASABI_REGION_IN_ENDPOINT
        : undefined;
  return re?.exec(url.hostname)?.[1];
}

/** Checks a destination config and fills in the provider's defaults; throws StrataError('config'). */
export function resolveS3Settings(config: S3DestinationConfig): ResolvedS3Settings {
  const preset = S3_PRESETS[config.provider];
  if (!preset) {
    throw configError(
      `unknown S3 provider "${String(config.provider)}"`,
      `choose one of: ${Object.keys(S3_PRESETS).join(', ')}`,
    );
  }
  checkBucket(preset, config.bucket);
  const prefix = normalizePrefix(config.prefix ?? '');
  if (!config.accessKeyId) throw configError('no access key id given', 'pass --access-key-id ID');

  const endpointUrl = config.endpoint ? parseEndpoint(preset, config.endpoint) : undefined;
  if (preset.requiresEndpoint && !endpointUrl) {
    throw configError(`${preset.displayName} needs an endpoint`, `pass --endpoint ${preset.endpointPattern ?? 'URL'}`);
  }
  const region = config.region || regionFromEndpoint(preset, endpointUrl) || preset.defaultRegion;
  if (!region) {
    throw configError(
      `${preset.displayName} needs a region`,
      `pass --region (the part after "s3." in your bucket's endpoint ${preset.endpointPattern ?? ''}, e.g. us-west-004)`,
    );
  }
  if (!/^[a-z0-9-]+$/.test(region))
    throw configError(`region "${region}" is not a region name`, 'regions look like us-east-1 or eu-central-003');

  const storageClass = config.storageClass || undefined;
  if (storageClass && preset.storageClasses !== undefined && !preset.storageClasses.includes(storageClass)) {
    throw configError(
      `${preset.displayName} does not offer storage class "${storageClass}"`,
      preset.storageClasses.length > 0
        ? `choose one of: ${preset.storageClasses.join(', ')}`
        : 'leave --storage-class out',
    );
  }

  const endpoint = endpointUrl ? endpointUrl.toString().replace(/\/+$/, '') : preset.endpointFor?.(region);
  return {
    preset,
    bucket: config.bucket,
    prefix,
    region,
    endpoint,
    forcePathStyle: config.pathStyle ?? preset.pathStyle,
    storageClass,
  };
}
