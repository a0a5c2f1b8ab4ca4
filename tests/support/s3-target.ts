import { randomBytes } from 'node:crypto';
import {
  S3_PROVIDERS,
  type S3Credentials,
  type S3DestinationConfig,
  type S3Provider,
} from '../../electron/engine/destinations/config.js';
import { S3Destination } from '../../electron/engine/destinations/s3/s3-destination.js';
import { startFaultProxy } from './fault-proxy.js';
import { startS3rver, type S3rverHarness } from './s3rver.js';

/**
 * Where the S3 integration suite runs: s3rver by default, or a real bucket when
 * STRATA_TEST_S3_BUCKET, STRATA_TEST_S3_KEY_ID and STRATA_TEST_S3_SECRET are set
 * (with STRATA_TEST_S3_PROVIDER, STRATA_TEST_S3_ENDPOINT, STRATA_TEST_S3_REGION as the provider needs).
 * Every run writes under a fresh random prefix and removes it afterwards.
 */
export interface S3Target {
  kind: 's3rver' | 'real';
  /** For test titles: 's3rver' or e.g. 'b2 (real)'. */
  name: string;
  credentials: S3Credentials;
  /** A config rooted at `<run prefix>/<sub>`; give each test its own `sub`. */
  config(sub: string): S3DestinationConfig;
  /** Same endpoint and keys, a bucket that does not exist. */
  missingBucketConfig(): S3DestinationConfig;
  /** Same bucket with a wrong secret (s3rver: through a proxy that checks signatures). */
  wrongSecret(): Promise<{ config: S3DestinationConfig; credentials: S3Credentials; close(): Promise<void> }>;
  /** The s3rver instance, when that is the target. */
  s3rver: S3rverHarness | undefined;
  /** Deletes everything under the run prefix and aborts its unfinished uploads; stops s3rver. */
  cleanup(): Promise<void>;
}

const S3RVER_BUCKET = 'strata-test';

function randomName(): string {
  return `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

export function realTargetFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): { config: Omit<S3DestinationConfig, 'prefix'>; credentials: S3Credentials } | undefined {
  const bucket = env['STRATA_TEST_S3_BUCKET'];
  const accessKeyId = env['STRATA_TEST_S3_KEY_ID'];
  const secretAccessKey = env['STRATA_TEST_S3_SECRET'];
  if (!bucket || !accessKeyId || !secretAccessKey) return undefined;
  const provider = (env['STRATA_TEST_S3_PROVIDER'] || 'other') as S3Provider;
  if (!S3_PROVIDERS.includes(provider))
    throw new Error(`STRATA_TEST_S3_PROVIDER must be one of ${S3_PROVIDERS.join(', ')}`);
  return {
    config: {
      kind: 's3',
      provider,
      bucket,
      endpoint: env['STRATA_TEST_S3_ENDPOINT'] || undefined,
      region: env['STRATA_TEST_S3_REGION'] || undefined,
      accessKeyId,
    },
    credentials: { accessKeyId, secretAccessKey },
  };
}

async function removeEverything(config: S3DestinationConfig, credentials: S3Credentials): Promise<void> {
  const dest = new S3Destination(config, credentials);
  try {
    const keys: string[] = [];
    for await (const o of dest.list('')) keys.push(o.key);
    await dest.delete(keys);
    await dest.sweep(new Date(Date.now() + 24 * 3600_000));
  } finally {
    await dest.close();
  }
}

export async function openS3Target(): Promise<S3Target> {
  const runPrefix = `strata-test/${randomName()}`;
  const real = realTargetFromEnv();
  if (real) {
    const base = real.config;
    const config = (sub: string): S3DestinationConfig => ({ ...base, prefix: `${runPrefix}/${sub}` });
    return {
      kind: 'real',
      name: `${base.provider} (real)`,
      credentials: real.credentials,
      config,
      missingBucketConfig: () => ({ ...config('missing'), bucket: `strata-missing-${randomBytes(6).toString('hex')}` }),
      wrongSecret: () => {
        const wrong = randomBytes(real.credentials.secretAccessKey.length)
          .toString('base64')
          .slice(0, real.credentials.secretAccessKey.length);
        return Promise.resolve({
          config: config('wrong-secret'),
          credentials: { ...real.credentials, secretAccessKey: wrong },
          close: () => Promise.resolve(),
        });
      },
      s3rver: undefined,
      cleanup: () => removeEverything({ ...base, prefix: runPrefix }, real.credentials),
    };
  }

  const s3rver = await startS3rver([S3RVER_BUCKET]);
  const config = (sub: string) => s3rver.config(S3RVER_BUCKET, `${runPrefix}/${sub}`);
  return {
    kind: 's3rver',
    name: 's3rver',
    credentials: s3rver.credentials,
    config,
    missingBucketConfig: () => s3rver.config(`strata-missing-${randomBytes(6).toString('hex')}`, runPrefix),
    wrongSecret: async () => {
      const proxy = await startFaultProxy({ target: s3rver.endpoint, verifySignatures: [s3rver.credentials] });
      return {
        config: s3rver.config(S3RVER_BUCKET, `${runPrefix}/wrong-secret`, proxy.endpoint),
        credentials: { ...s3rver.credentials, secretAccessKey: 'not-the-secret' },
        close: () => proxy.stop(),
      };
    },
    s3rver,
    cleanup: () => s3rver.stop(),
  };
}
