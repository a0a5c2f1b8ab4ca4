import { createHash } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { S3Credentials } from '../config.js';
import { httpStatus, networkErrorCode, s3ErrorCode } from './errors.js';
import type { ResolvedS3Settings } from './presets.js';

/** Knobs for the HTTP client and retries; tests shrink the delays and timeouts. */
export interface S3ClientTuning {
  /** Shared with the destination, which turns Content-MD5 on uploads on when a bucket asks. */
  md5Policy?: Md5Policy;
  /** Parallel transfers the destination is given; sizes the socket pool. Default 16. */
  concurrency?: number;
  /** Parts in flight per multipart upload; sizes the socket pool too. Default 4. */
  multipartQueueSize?: number;
  /** Total tries per request, first included. Default 6. */
  maxAttempts?: number;
  /** Backoff base: retry n waits up to base * 2^n (full jitter). Default 200 ms. */
  baseDelayMs?: number;
  /** Backoff cap. Default 20 s. */
  maxDelayMs?: number;
  /** Longest Retry-After honoured. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Default 10 s. */
  connectionTimeoutMs?: number;
  /** Idle socket time before a request is abandoned and retried. Default 120 s. */
  socketTimeoutMs?: number;
  /** Injectable for tests: waits between attempts. */
  sleep?: (ms: number) => Promise<void>;
  /** Injectable for tests: jitter source in [0, 1). */
  random?: () => number;
}

export const DEFAULT_CONCURRENCY = 16;
export const DEFAULT_QUEUE_SIZE = 4;

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export function retryPolicy(t: S3ClientTuning = {}): RetryPolicy {
  return {
    maxAttempts: t.maxAttempts ?? 6,
    baseDelayMs: t.baseDelayMs ?? 200,
    maxDelayMs: t.maxDelayMs ?? 20_000,
    maxRetryAfterMs: t.maxRetryAfterMs ?? 60_000,
    sleep: t.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    random: t.random ?? Math.random,
  };
}

const RETRY_CODES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequests',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'RequestThrottled',
  'InternalError',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'PriorRequestNotComplete',
]);
const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);
// A name that does not resolve or a TLS failure is configuration, not weather: fail at once.
const RETRY_NETWORK = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'ECONNREFUSED',
  'EAI_AGAIN',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** Throttling, 5xx (but 501), resets and timeouts are worth another try; 4xx configuration errors are not. */
export function isRetryableError(err: unknown): boolean {
  const e = err as { $metadata?: { clockSkewCorrected?: boolean }; name?: string } | undefined;
  if (!e || e.name === 'AbortError') return false;
  // The SDK corrected its clock offset from the server's Date: the next signature will be valid.
  if (e.$metadata?.clockSkewCorrected) return true;
  const code = s3ErrorCode(err);
  if (code !== undefined && RETRY_CODES.has(code)) return true;
  const status = httpStatus(err);
  if (status !== undefined && RETRY_STATUS.has(status)) return true;
  const net = networkErrorCode(err);
  return net !== undefined && RETRY_NETWORK.has(net);
}

/** Exponential backoff with full jitter, capped; never shorter than the server's Retry-After. */
export function retryDelayMs(retry: number, policy: RetryPolicy, retryAfterMs?: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  const jittered = Math.floor(policy.random() * ceiling);
  if (retryAfterMs === undefined || retryAfterMs <= 0) return jittered;
  return Math.max(jittered, Math.min(retryAfterMs, policy.maxRetryAfterMs));
}

interface RetryTokenLike {
  getRetryCount(): number;
  getRetryDelay(): number;
}

interface RetryErrorInfoLike {
  error?: unknown;
  retryAfterHint?: Date;
}

/**
 * The SDK's own StandardRetryStrategy does read Retry-After but clamps it to backoff + 5 s, and
 * gives up once a shared retry quota drains under sustained throttling. A backup would rather wait.
 * This strategy sleeps itself (injectable) and hands the middleware a zero delay.
 */
export class StrataRetryStrategy {
  constructor(private readonly policy: RetryPolicy) {}

  acquireInitialRetryToken(): Promise<RetryTokenLike> {
    return Promise.resolve(token(0));
  }

  async refreshRetryTokenForRetry(previous: RetryTokenLike, info: RetryErrorInfoLike): Promise<RetryTokenLike> {
    const retries = previous.getRetryCount();
    if (retries + 1 >= this.policy.maxAttempts || !isRetryableError(info.error)) {
      throw new Error('no more retries');
    }
    const retryAfterMs = info.retryAfterHint ? info.retryAfterHint.getTime() - Date.now() : undefined;
    await this.policy.sleep(retryDelayMs(retries, this.policy, retryAfterMs));
    return token(retries + 1);
  }

  recordSuccess(): void {}
}

function token(count: number): RetryTokenLike {
  return { getRetryCount: () => count, getRetryDelay: () => 0 };
}

function md5Base64(body: string | Uint8Array): string {
  return createHash('md5').update(body).digest('base64');
}

/** Whether uploads carry Content-MD5 too; turned on when a bucket (Object Lock) demands it. */
export interface Md5Policy {
  onUploads: boolean;
}

const UPLOAD_COMMANDS = new Set(['PutObjectCommand', 'UploadPartCommand']);

/** True for the 400 a bucket with Object Lock answers to an upload without Content-MD5. */
export function asksForContentMd5(err: unknown): boolean {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.$metadata?.httpStatusCode === 400 && /content-md5/i.test(e.message ?? '');
}

interface RequestLike {
  headers: Record<string, string>;
  body?: unknown;
}

/**
 * DeleteObjects must carry a checksum; the SDK now sends CRC32, which B2 and older R2 reject.
 * For such providers send Content-MD5 instead. Uploads get it only once a bucket asks (Object
 * Lock): the signed payload hash already protects their bodies, and MD5 of every byte is not free.
 * Runs after the SDK's checksum middleware in the build step, before signing.
 */
function addContentMd5(client: S3Client, policy: Md5Policy): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as RequestLike | undefined;
      const body = request?.body;
      if (
        request?.headers &&
        (context.commandName === 'DeleteObjectsCommand' ||
          (policy.onUploads && UPLOAD_COMMANDS.has(context.commandName ?? ''))) &&
        (typeof body === 'string' || body instanceof Uint8Array)
      ) {
        const headers = request.headers;
        for (const name of Object.keys(headers)) {
          const lower = name.toLowerCase();
          if (
            lower.startsWith('x-amz-checksum-') ||
            lower === 'x-amz-sdk-checksum-algorithm' ||
            lower === 'content-md5'
          )
            delete headers[name];
        }
        headers['content-md5'] = md5Base64(body);
      }
      return next(args);
    },
    { step: 'build', priority: 'low', name: 'strataContentMd5', override: true },
  );
}

export function createS3Client(
  settings: ResolvedS3Settings,
  credentials: S3Credentials,
  tuning: S3ClientTuning = {},
): S3Client {
  const concurrency = tuning.concurrency ?? DEFAULT_CONCURRENCY;
  const queueSize = tuning.multipartQueueSize ?? DEFAULT_QUEUE_SIZE;
  const policy = retryPolicy(tuning);
  const agentOptions = {
    keepAlive: true,
    keepAliveMsecs: 1000,
    maxSockets: Math.max(concurrency * queueSize, concurrency + 4),
    scheduling: 'lifo' as const,
  };
  const client = new S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle,
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
    requestChecksumCalculation: settings.preset.requestChecksumCalculation,
    responseChecksumValidation: settings.preset.responseChecksumValidation,
    maxAttempts: policy.maxAttempts,
    retryStrategy: new StrataRetryStrategy(policy),
    requestHandler: new NodeHttpHandler({
      connectionTimeout: tuning.connectionTimeoutMs ?? 10_000,
      socketTimeout: tuning.socketTimeoutMs ?? 120_000,
      httpAgent: agentOptions,
      httpsAgent: agentOptions,
    }),
  });
  if (settings.preset.contentMd5) addContentMd5(client, tuning.md5Policy ?? { onUploads: false });
  return client;
}
