import { StrataError, type ErrorCode } from '../../../../shared/errors.js';
import type { S3ProviderPreset } from './presets.js';

/** What the failing request was about, for messages. Holds nothing secret. */
export interface S3ErrorContext {
  preset: S3ProviderPreset;
  bucket: string;
  region: string;
  endpoint: string | undefined;
  /** e.g. 'write "files/a.txt"'; used as "could not <action>". */
  action?: string | undefined;
  /** Strings that must never appear in a message (the secret key), replaced if they do. */
  redact?: readonly string[] | undefined;
}

interface SdkLikeError {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  cause?: unknown;
  Region?: string;
  Endpoint?: string;
  ServerTime?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $response?: { statusCode?: number; headers?: Record<string, string | undefined> };
  $fault?: 'client' | 'server';
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME']);
const REFUSED_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
const DROPPED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);
const THROTTLE_CODES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequests',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);

/** Node error code of the error or of any error in its cause chain. */
export function networkErrorCode(err: unknown): string | undefined {
  let e = err as SdkLikeError | undefined;
  for (let depth = 0; e && depth < 8; depth++) {
    if (
      typeof e.code === 'string' &&
      (DNS_CODES.has(e.code) || REFUSED_CODES.has(e.code) || DROPPED_CODES.has(e.code) || isTlsCode(e.code))
    ) {
      return e.code;
    }
    if (e.name === 'TimeoutError') return 'ETIMEDOUT';
    if (typeof e.message === 'string' && /socket hang up|^aborted$/.test(e.message)) return 'ECONNRESET';
    e = e.cause as SdkLikeError | undefined;
  }
  return undefined;
}

function isTlsCode(code: string): boolean {
  return (
    code.startsWith('ERR_TLS_') ||
    code.startsWith('ERR_SSL_') ||
    code.includes('CERT') ||
    code === 'EPROTO' ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
  );
}

export function httpStatus(err: unknown): number | undefined {
  const e = err as SdkLikeError | undefined;
  return e?.$metadata?.httpStatusCode ?? e?.$response?.statusCode;
}

/** The S3 error code ('NoSuchBucket', ...) when the server sent one; HEAD errors only carry a status. */
export function s3ErrorCode(err: unknown): string | undefined {
  const e = err as SdkLikeError | undefined;
  if (!e || (e.$metadata === undefined && e.$fault === undefined)) return undefined;
  return e.Code ?? e.name;
}

function header(err: SdkLikeError, name: string): string | undefined {
  const headers = err.$response?.headers;
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

/** The region the server says the bucket lives in, from a header, the error body or its message. */
export function regionFromError(err: unknown): string | undefined {
  const e = err as SdkLikeError;
  const fromHeader = header(e, 'x-amz-bucket-region');
  if (fromHeader) return fromHeader;
  if (typeof e.Region === 'string' && e.Region) return e.Region;
  const fromMessage = /expecting '([a-z0-9-]+)'/.exec(e.message ?? '')?.[1];
  if (fromMessage) return fromMessage;
  return /s3[.-]([a-z0-9-]+)\.amazonaws\.com/.exec(e.Endpoint ?? '')?.[1];
}

function hostOf(endpoint: string | undefined): string {
  if (!endpoint) return 'the AWS S3 endpoint';
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}

function accessKeyHint(preset: S3ProviderPreset): string {
  switch (preset.provider) {
    case 'b2':
      return "check the keyID of a B2 application key (B2's master key does not work with the S3 API)";
    case 'r2':
      return 'check the Access Key ID of an R2 API token (Cloudflare dashboard, R2, Manage API tokens)';
    default:
      return `check the access key id (--access-key-id) and that the key still exists at ${preset.displayName}`;
  }
}

function regionError(err: SdkLikeError, ctx: S3ErrorContext): StrataError {
  const actual = regionFromError(err);
  const where = `bucket "${ctx.bucket}"`;
  return actual && actual !== ctx.region
    ? new StrataError(
        'region',
        `${where} is in region ${actual}, not ${ctx.region}`,
        `set the region to ${actual} (--region ${actual})`,
        { cause: err },
      )
    : new StrataError(
        'region',
        `${where} is not in region ${ctx.region}`,
        "set --region to the bucket's region, as shown in the provider's console",
        { cause: err },
      );
}

function networkError(code: string, err: unknown, ctx: S3ErrorContext): StrataError {
  const host = hostOf(ctx.endpoint);
  const attempts = (err as SdkLikeError).$metadata?.attempts;
  const tried = attempts && attempts > 1 ? ` (tried ${attempts} times)` : '';
  if (DNS_CODES.has(code)) {
    return new StrataError(
      'network',
      `cannot find the host ${host} (${code})`,
      'check the endpoint (--endpoint) for typos and that this computer is online',
      { cause: err },
    );
  }
  if (REFUSED_CODES.has(code)) {
    return new StrataError(
      'network',
      `nothing answers at ${host} (${code})${tried}`,
      'check the endpoint host and port, and that the server is running',
      { cause: err },
    );
  }
  if (isTlsCode(code)) {
    return new StrataError(
      'network',
      `the secure connection to ${host} failed (${code})`,
      "check the endpoint's https certificate; a server without TLS needs an http:// endpoint and --provider minio or other",
      { cause: err },
    );
  }
  const what = code === 'ETIMEDOUT' ? 'timed out' : 'was cut';
  return new StrataError(
    'network',
    `the connection to ${host} ${what}${tried}`,
    'check the network connection and try again',
    { cause: err },
  );
}

function serviceError(code: string, status: number | undefined, err: SdkLikeError, ctx: S3ErrorContext): StrataError {
  const name = ctx.preset.displayName;
  const doing = ctx.action ? ` to ${ctx.action}` : '';
  const detail =
    err.message && err.message !== code && !/^(UnknownError|\d+)$/.test(err.message) ? `: ${err.message}` : '';
  const fail = (c: ErrorCode, message: string, hint: string) => new StrataError(c, message, hint, { cause: err });
  switch (code) {
    case 'InvalidAccessKeyId':
      return fail('auth', `the access key id is not known to ${name}`, accessKeyHint(ctx.preset));
    case 'SignatureDoesNotMatch':
      return fail(
        'auth',
        `the secret access key is wrong for this access key id (${name} rejected the signature)`,
        're-enter the secret: set STRATA_SECRET_ACCESS_KEY or answer the prompt',
      );
    case 'InvalidToken':
    case 'ExpiredToken':
    case 'TokenRefreshRequired':
      return fail('auth', `${name} rejected the credentials (${code})`, 'create a new access key and enter it again');
    case 'NoSuchBucket':
      return fail(
        'bucket-missing',
        `bucket "${ctx.bucket}" does not exist at ${name}`,
        `create the bucket at ${name}, or fix the name with --bucket`,
      );
    case 'PermanentRedirect':
    case 'IllegalLocationConstraintException':
    case 'IncorrectEndpoint':
      return regionError(err, ctx);
    case 'AuthorizationHeaderMalformed':
      if (regionFromError(err) || /region/i.test(err.message ?? '')) return regionError(err, ctx);
      return fail('auth', `${name} could not read the credentials${detail}`, accessKeyHint(ctx.preset));
    case 'RequestTimeTooSkewed':
    case 'RequestExpired':
    case 'RequestInTheFuture':
      return fail(
        'clock-skew',
        `this computer's clock differs from ${name}'s by more than 15 minutes${err.ServerTime ? ` (server time ${err.ServerTime})` : ''}`,
        'fix the system clock (turn on automatic date and time) and try again',
      );
    case 'AccessDenied':
    case 'AllAccessDisabled':
    case 'Forbidden':
      return fail(
        'permission',
        `${name} denied access${doing} in bucket "${ctx.bucket}"${code === 'Forbidden' ? '' : detail}`,
        `give the key s3:PutObject, s3:GetObject, s3:ListBucket and s3:DeleteObject on bucket "${ctx.bucket}"`,
      );
    case 'NoSuchKey':
    case 'NotFound':
      return fail(
        'not-found',
        `not found${ctx.action ? `: could not ${ctx.action}` : ''}`,
        'the object is not in the bucket',
      );
    case 'InvalidBucketName':
      return fail('config', `${name} says "${ctx.bucket}" is not a valid bucket name`, 'fix the name with --bucket');
    case 'KeyTooLongError':
      return fail(
        'io',
        `an object name is longer than ${name} allows${doing}`,
        'object names are limited to 1024 bytes: shorten the folder path or the prefix',
      );
    case 'InvalidArgument':
      // R2 checks the key's shape before looking it up.
      if (/access key|credential/i.test(err.message ?? ''))
        return fail('auth', `${name} rejected the access key id${detail}`, accessKeyHint(ctx.preset));
      break;
    case 'NotImplemented':
      return fail(
        'config',
        `${name} does not support a request Strata needs${doing}${detail}`,
        'use a fully S3-compatible server',
      );
  }
  if (status === 301) return regionError(err, ctx);
  if (status === 403) return serviceError('Forbidden', status, err, ctx);
  if (status === 404) return serviceError('NotFound', status, err, ctx);
  if (THROTTLE_CODES.has(code) || status === 429 || status === 503) {
    return fail(
      'busy',
      `${name} kept asking Strata to slow down${doing} (${code})`,
      'try again later, or lower the number of parallel transfers',
    );
  }
  if (status !== undefined && status >= 500) {
    return fail('network', `${name} had an internal problem${doing} (${status} ${code})${detail}`, 'try again later');
  }
  return fail(
    'io',
    `${name} refused${doing}: ${code}${status ? ` (${status})` : ''}${detail}`,
    'check the destination settings; if it persists, report this message',
  );
}

function redact(err: StrataError, secrets: readonly string[] | undefined): StrataError {
  // Short strings would blank out ordinary words; real secrets are long.
  const usable = (secrets ?? []).filter((s) => s.length >= 8);
  if (usable.length === 0) return err;
  const clean = (s: string) => usable.reduce((acc, secret) => acc.split(secret).join('***'), s);
  const message = clean(err.message);
  const hint = err.hint === undefined ? undefined : clean(err.hint);
  if (message === err.message && hint === err.hint) return err;
  return new StrataError(err.code, message, hint);
}

/**
 * Turns an SDK or network error into a StrataError whose message says what failed and
 * whose hint says what to do. Errors from elsewhere (a source stream, StrataErrors) pass through.
 */
export function mapS3Error(err: unknown, ctx: S3ErrorContext): unknown {
  if (err instanceof StrataError) return redact(err, ctx.redact);
  const e = err as SdkLikeError | undefined;
  if (!e || typeof e !== 'object') return err;
  const code = s3ErrorCode(e);
  if (code !== undefined) {
    // A transport failure can surface with $metadata attached; prefer the transport reading.
    const net = code === 'TimeoutError' || e.$metadata?.httpStatusCode === undefined ? networkErrorCode(e) : undefined;
    if (net) return redact(networkError(net, e, ctx), ctx.redact);
    return redact(serviceError(code, httpStatus(e), e, ctx), ctx.redact);
  }
  const net = networkErrorCode(e);
  if (net) return redact(networkError(net, e, ctx), ctx.redact);
  return err;
}
