import { NoSuchBucket, NoSuchKey, S3ServiceException } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { mapS3Error, regionFromError, type S3ErrorContext } from '../../electron/engine/destinations/s3/errors.js';
import { S3_PRESETS } from '../../electron/engine/destinations/s3/presets.js';
import { StrataError } from '../../shared/errors.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

function ctx(over: Partial<S3ErrorContext> = {}): S3ErrorContext {
  return {
    preset: S3_PRESETS.aws,
    bucket: 'my-backups',
    region: 'us-east-1',
    endpoint: undefined,
    action: 'write "files/a.txt"',
    redact: [SECRET],
    ...over,
  };
}

function serviceError(
  name: string,
  status: number,
  extra: Record<string, unknown> = {},
  message = `${name} message`,
): S3ServiceException {
  return Object.assign(
    new S3ServiceException({
      name,
      $fault: status >= 500 ? 'server' : 'client',
      $metadata: { httpStatusCode: status },
      message,
    }),
    extra,
  );
}

function withHeaders(err: S3ServiceException, headers: Record<string, string>): S3ServiceException {
  return Object.assign(err, { $response: { statusCode: err.$metadata.httpStatusCode, headers } });
}

function nodeError(code: string, message = code): Error {
  return Object.assign(new Error(message), { code, $metadata: { attempts: 6 } });
}

function mapped(err: unknown, c: S3ErrorContext = ctx()): StrataError {
  const out = mapS3Error(err, c);
  expect(out).toBeInstanceOf(StrataError);
  const e = out as StrataError;
  expect(e.oneLine()).not.toContain(SECRET);
  return e;
}

describe('mapS3Error', () => {
  it('unknown access key: auth, names the provider, provider-specific fix', () => {
    const e = mapped(serviceError('InvalidAccessKeyId', 403), ctx({ preset: S3_PRESETS.b2 }));
    expect(e.code).toBe('auth');
    expect(e.message).toBe('the access key id is not known to Backblaze B2');
    expect(e.hint).toMatch(/application key/);
    expect(mapped(serviceError('InvalidAccessKeyId', 403), ctx({ preset: S3_PRESETS.r2 })).hint).toMatch(
      /R2 API token/,
    );
    const shape = mapped(
      serviceError('InvalidArgument', 400, {}, 'Credential access key has length 20, should be 32'),
      ctx({ preset: S3_PRESETS.r2 }),
    );
    expect(shape.code).toBe('auth');
    expect(shape.hint).toMatch(/R2 API token/);
  });

  it('wrong secret: auth, says the secret is wrong and how to re-enter it', () => {
    const e = mapped(serviceError('SignatureDoesNotMatch', 403));
    expect(e.code).toBe('auth');
    expect(e.message).toMatch(/secret access key is wrong/);
    expect(e.hint).toMatch(/STRATA_SECRET_ACCESS_KEY/);
  });

  it('missing bucket: bucket-missing, names the bucket and the fix', () => {
    const e = mapped(
      new NoSuchBucket({ message: 'The specified bucket does not exist', $metadata: { httpStatusCode: 404 } }),
    );
    expect(e.code).toBe('bucket-missing');
    expect(e.message).toBe('bucket "my-backups" does not exist at AWS S3');
    expect(e.hint).toMatch(/--bucket/);
  });

  it('wrong region: names the region the server reports', () => {
    const redirect = withHeaders(serviceError('PermanentRedirect', 301), { 'x-amz-bucket-region': 'eu-west-1' });
    const e = mapped(redirect);
    expect(e.code).toBe('region');
    expect(e.message).toBe('bucket "my-backups" is in region eu-west-1, not us-east-1');
    expect(e.hint).toBe('set the region to eu-west-1 (--region eu-west-1)');

    const malformed = serviceError(
      'AuthorizationHeaderMalformed',
      400,
      { Region: 'eu-central-1' },
      "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-central-1'",
    );
    expect(mapped(malformed).hint).toMatch(/--region eu-central-1/);
    const fromMessage = serviceError(
      'AuthorizationHeaderMalformed',
      400,
      {},
      "the region 'us-east-1' is wrong; expecting 'ap-south-1'",
    );
    expect(mapped(fromMessage).hint).toMatch(/--region ap-south-1/);
    expect(
      regionFromError(serviceError('PermanentRedirect', 301, { Endpoint: 'my-backups.s3.eu-north-1.amazonaws.com' })),
    ).toBe('eu-north-1');
  });

  it('a HEAD 301 (no body) with the region header is a region error too', () => {
    const e = mapped(
      withHeaders(serviceError('UnknownError', 301, {}, 'UnknownError'), { 'x-amz-bucket-region': 'us-west-2' }),
    );
    expect(e.code).toBe('region');
    expect(e.hint).toMatch(/us-west-2/);
    const unknown = mapped(serviceError('PermanentRedirect', 301));
    expect(unknown.code).toBe('region');
    expect(unknown.hint).toMatch(/bucket's region/);
  });

  it('clock skew: says to fix the system clock', () => {
    const e = mapped(serviceError('RequestTimeTooSkewed', 403, { ServerTime: '2026-01-01T00:00:00Z' }));
    expect(e.code).toBe('clock-skew');
    expect(e.message).toMatch(/clock/);
    expect(e.message).toContain('2026-01-01T00:00:00Z');
    expect(e.hint).toMatch(/system clock/);
  });

  it('access denied: permission, lists the actions the key needs on the bucket', () => {
    const e = mapped(serviceError('AccessDenied', 403, {}, 'Access Denied'));
    expect(e.code).toBe('permission');
    expect(e.message).toMatch(/denied access to write "files\/a.txt" in bucket "my-backups"/);
    expect(e.hint).toBe(
      'give the key s3:PutObject, s3:GetObject, s3:ListBucket and s3:DeleteObject on bucket "my-backups"',
    );
    expect(mapped(serviceError('Forbidden', 403, {}, 'UnknownError')).code).toBe('permission');
  });

  it('missing object: not-found', () => {
    expect(
      mapped(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } })).code,
    ).toBe('not-found');
    expect(mapped(serviceError('NotFound', 404, {}, 'UnknownError')).code).toBe('not-found');
  });

  it('network: unknown host, refused, cut, timed out, TLS', () => {
    const c = ctx({ preset: S3_PRESETS.minio, endpoint: 'http://nas.local:9000' });
    const dns = mapped(nodeError('ENOTFOUND', 'getaddrinfo ENOTFOUND nas.local'), c);
    expect(dns.code).toBe('network');
    expect(dns.message).toBe('cannot find the host nas.local:9000 (ENOTFOUND)');
    expect(dns.hint).toMatch(/--endpoint/);
    const refused = mapped(nodeError('ECONNREFUSED'), c);
    expect(refused.message).toBe('nothing answers at nas.local:9000 (ECONNREFUSED) (tried 6 times)');
    expect(refused.hint).toMatch(/port/);
    expect(mapped(nodeError('ECONNRESET'), c).message).toMatch(/was cut/);
    expect(mapped(Object.assign(new Error('socket hang up'), { $metadata: {} }), c).message).toMatch(/was cut/);
    expect(mapped(Object.assign(new Error('timed out'), { name: 'TimeoutError' }), c).message).toMatch(/timed out/);
    const tls = mapped(nodeError('DEPTH_ZERO_SELF_SIGNED_CERT'), c);
    expect(tls.message).toMatch(/secure connection/);
    expect(tls.hint).toMatch(/certificate/);
    // A wrapped cause is found too.
    expect(mapped(Object.assign(new Error('request failed'), { cause: nodeError('EAI_AGAIN') }), c).message).toMatch(
      /cannot find the host/,
    );
  });

  it('throttling that outlasted the retries: busy; other 5xx: network', () => {
    const busy = mapped(serviceError('SlowDown', 503, {}, 'Please reduce your request rate.'));
    expect(busy.code).toBe('busy');
    expect(busy.hint).toMatch(/try again later/);
    expect(mapped(serviceError('TooManyRequests', 429)).code).toBe('busy');
    const internal = mapped(serviceError('InternalError', 500, {}, 'We encountered an internal error.'));
    expect(internal.code).toBe('network');
    expect(internal.message).toMatch(/internal problem.*500 InternalError/);
  });

  it('NotImplemented and bad names: config; anything else: io with the server words', () => {
    expect(mapped(serviceError('NotImplemented', 501)).code).toBe('config');
    expect(mapped(serviceError('KeyTooLongError', 400)).hint).toMatch(/1024 bytes/);
    const other = mapped(serviceError('InvalidArgument', 400, {}, 'Part number must be an integer'));
    expect(other.code).toBe('io');
    expect(other.message).toBe(
      'AWS S3 refused to write "files/a.txt": InvalidArgument (400): Part number must be an integer',
    );
  });

  it('never lets the secret through, even when the server echoes it', () => {
    const echo = serviceError('InvalidArgument', 400, {}, `bad credential ${SECRET}`);
    const e = mapped(echo);
    expect(e.message).toContain('***');
  });

  it('passes through errors that are not from S3 or the network', () => {
    const fsError = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES', path: '/x' });
    expect(mapS3Error(fsError, ctx())).toBe(fsError);
    const strata = new StrataError('changed-while-reading', 'changed');
    expect(mapS3Error(strata, ctx())).toBe(strata);
    expect(mapS3Error('weird', ctx())).toBe('weird');
  });
});
