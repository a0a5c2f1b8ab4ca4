import { describe, expect, it } from 'vitest';
import { S3_PROVIDERS, type S3DestinationConfig } from '../../electron/engine/destinations/config.js';
import { S3_PRESETS, resolveS3Settings } from '../../electron/engine/destinations/s3/presets.js';
import { StrataError } from '../../shared/errors.js';

const base = (over: Partial<S3DestinationConfig>): S3DestinationConfig => ({
  kind: 's3',
  provider: 'aws',
  bucket: 'my-backups',
  prefix: '',
  accessKeyId: 'AKIAEXAMPLE',
  ...over,
});

function configError(over: Partial<S3DestinationConfig>): StrataError {
  try {
    resolveS3Settings(base(over));
  } catch (err) {
    expect(err).toBeInstanceOf(StrataError);
    expect((err as StrataError).code).toBe('config');
    expect((err as StrataError).hint).toBeTruthy();
    return err as StrataError;
  }
  throw new Error('expected a config error');
}

describe('S3 provider presets', () => {
  it('has a preset for every provider', () => {
    expect(Object.keys(S3_PRESETS).sort()).toEqual([...S3_PROVIDERS].sort());
  });

  it('uses WHEN_REQUIRED checksums and Content-MD5 for every provider but AWS', () => {
    for (const p of S3_PROVIDERS) {
      const preset = S3_PRESETS[p];
      const expected = p === 'aws' ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED';
      expect(preset.requestChecksumCalculation, p).toBe(expected);
      expect(preset.responseChecksumValidation, p).toBe(expected);
      expect(preset.contentMd5, p).toBe(p !== 'aws');
    }
  });

  it('aws: SDK-resolved endpoint, us-east-1 by default, virtual-hosted', () => {
    const s = resolveS3Settings(base({}));
    expect(s).toMatchObject({
      region: 'us-east-1',
      endpoint: undefined,
      forcePathStyle: false,
      bucket: 'my-backups',
      prefix: '',
    });
    expect(resolveS3Settings(base({ region: 'eu-west-1' })).region).toBe('eu-west-1');
  });

  it('r2: needs the account endpoint, region auto, path style', () => {
    const err = configError({ provider: 'r2' });
    expect(err.message).toMatch(/Cloudflare R2 needs an endpoint/);
    expect(err.hint).toContain('https://<accountId>.r2.cloudflarestorage.com');
    const s = resolveS3Settings(base({ provider: 'r2', endpoint: 'https://0123abcd.r2.cloudflarestorage.com' }));
    expect(s).toMatchObject({
      region: 'auto',
      endpoint: 'https://0123abcd.r2.cloudflarestorage.com',
      forcePathStyle: true,
    });
  });

  it('b2: endpoint from the region, or the region from the endpoint; one of them is required', () => {
    expect(resolveS3Settings(base({ provider: 'b2', region: 'us-west-004' })).endpoint).toBe(
      'https://s3.us-west-004.backblazeb2.com',
    );
    const fromEndpoint = resolveS3Settings(
      base({ provider: 'b2', endpoint: 'https://s3.eu-central-003.backblazeb2.com' }),
    );
    expect(fromEndpoint.region).toBe('eu-central-003');
    expect(configError({ provider: 'b2' }).message).toMatch(/Backblaze B2 needs a region/);
  });

  it('wasabi: region us-east-1 by default, endpoint from the region', () => {
    expect(resolveS3Settings(base({ provider: 'wasabi' })).endpoint).toBe('https://s3.us-east-1.wasabisys.com');
    expect(resolveS3Settings(base({ provider: 'wasabi', region: 'eu-central-2' })).endpoint).toBe(
      'https://s3.eu-central-2.wasabisys.com',
    );
  });

  it('minio and other: need an endpoint, accept plain http, path style unless told otherwise', () => {
    for (const provider of ['minio', 'other'] as const) {
      expect(configError({ provider }).message).toMatch(/needs an endpoint/);
      const s = resolveS3Settings(base({ provider, endpoint: 'http://nas.local:9000/' }));
      expect(s).toMatchObject({ endpoint: 'http://nas.local:9000', forcePathStyle: true, region: 'us-east-1' });
      expect(
        resolveS3Settings(base({ provider, endpoint: 'http://nas.local:9000', pathStyle: false })).forcePathStyle,
      ).toBe(false);
    }
  });

  it('--path-style forces path style for any provider', () => {
    expect(resolveS3Settings(base({ pathStyle: true })).forcePathStyle).toBe(true);
  });

  it('refuses plain http for cloud providers', () => {
    for (const provider of ['aws', 'r2', 'b2', 'wasabi'] as const) {
      const err = configError({ provider, endpoint: 'http://s3.example.com', region: 'us-east-1' });
      expect(err.message).toMatch(/needs an https:\/\/ endpoint/);
      expect(err.hint).toMatch(/--provider other/);
    }
  });

  it('refuses endpoints that are not URLs or carry credentials or a query', () => {
    expect(configError({ provider: 'other', endpoint: 'nas.local:9000' }).message).toMatch(
      /must start with https|is not a URL/,
    );
    expect(configError({ provider: 'other', endpoint: 'not a url' }).message).toMatch(/is not a URL/);
    expect(configError({ provider: 'other', endpoint: 'ftp://nas.local' }).message).toMatch(/must start with https/);
    const withSecret = configError({ provider: 'other', endpoint: 'https://key:supersecret@nas.local' });
    expect(withSecret.message).not.toContain('supersecret');
    expect(configError({ provider: 'other', endpoint: 'https://nas.local/?x=1' }).message).toMatch(/query/);
  });

  it('checks storage classes against the provider', () => {
    expect(resolveS3Settings(base({ storageClass: 'STANDARD_IA' })).storageClass).toBe('STANDARD_IA');
    const err = configError({ storageClass: 'DEEP_ARCHIVE' });
    expect(err.message).toMatch(/does not offer storage class "DEEP_ARCHIVE"/);
    expect(err.hint).toMatch(/STANDARD, INTELLIGENT_TIERING/);
    expect(configError({ provider: 'b2', region: 'us-west-004', storageClass: 'STANDARD' }).hint).toMatch(
      /leave --storage-class out/,
    );
    expect(
      resolveS3Settings(base({ provider: 'other', endpoint: 'http://x:1', storageClass: 'WHATEVER' })).storageClass,
    ).toBe('WHATEVER');
  });

  it('checks bucket names (strictly for cloud providers)', () => {
    expect(configError({ bucket: '' }).message).toMatch(/no bucket/);
    expect(configError({ bucket: 'My_Bucket' }).message).toMatch(/not a valid AWS S3 bucket name/);
    expect(configError({ bucket: 'ab' }).message).toMatch(/not a valid/);
    expect(configError({ bucket: 'a..b' }).message).toMatch(/not a valid/);
    expect(resolveS3Settings(base({ provider: 'other', endpoint: 'http://x:1', bucket: 'My_Bucket' })).bucket).toBe(
      'My_Bucket',
    );
    expect(configError({ provider: 'other', endpoint: 'http://x:1', bucket: 'a/b' }).hint).toMatch(/--prefix/);
  });

  it('normalises the prefix and refuses empty, . and .. segments', () => {
    expect(resolveS3Settings(base({ prefix: '/laptop/home/' })).prefix).toBe('laptop/home');
    expect(resolveS3Settings(base({ prefix: '' })).prefix).toBe('');
    expect(configError({ prefix: 'a//b' }).message).toMatch(/segment/);
    expect(configError({ prefix: 'a/../b' }).message).toMatch(/segment/);
  });

  it('needs an access key id and a known provider; checks region syntax', () => {
    expect(configError({ accessKeyId: '' }).hint).toMatch(/--access-key-id/);
    expect(configError({ provider: 'ceph' as never }).hint).toMatch(/aws, r2, b2, wasabi, minio, other/);
    expect(configError({ region: 'EU West' }).message).toMatch(/not a region/);
  });
});
