// Runs s3rver in a process of its own (started by tests/support/s3rver.ts and tests/bench/s3rver.mjs).
// Usage: node s3rver-child.mjs DIRECTORY. Prints {"port":N} when listening; answers "count" on stdin
// with {"decodedRequests":N}; exits when stdin closes (its parent went away).
//
// Patches, each for a measured s3rver limit:
// - It encrypts ListObjectsV2 continuation tokens with single DES, which OpenSSL 3 no longer offers:
//   any listing past one page answers 500. Triple DES with the key repeated three times computes
//   exactly single DES, so 'des' is mapped onto it.
// - It decodes x-amz-copy-source with decodeURI, which leaves %2B, %26, %3D, %3F, %23 encoded, so
//   copying a key with + & = ? # fails; that is its only decodeURI call, pointed at the full decoder.
// - With a delimiter, its directory walk skips folders below the first level, so a folder holding
//   only sub-folders ('a/' with just 'a/b/c.txt') never shows as a common prefix; listings with a
//   delimiter are worked out from the full listing instead.
// - Idle keep-alive sockets are kept a minute so clients do not race the server's close.
// - With S3RVER_TLS_KEY/S3RVER_TLS_CERT it serves https (for presets such as B2 that refuse plain http).
// - With S3RVER_DECODE_CHUNKED=1 (the bench, for restic), aws-chunked (streaming-signed) bodies are
//   decoded as real S3 does; s3rver would store them verbatim. Tests leave it off, so a client
//   sending such bodies is caught there.
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Transform } from 'node:stream';

for (const name of ['createCipheriv', 'createDecipheriv']) {
  const original = crypto[name];
  crypto[name] = (algorithm, key, iv, options) =>
    algorithm === 'des'
      ? original('des-ede3-cbc', Buffer.concat([key, key, key]), iv, options)
      : original(algorithm, key, iv, options);
}
globalThis.decodeURI = decodeURIComponent;

function awsChunkedDecoder() {
  let state = 0; // 0 chunk header, 1 chunk data, 2 CRLF after data, 3 final chunk seen (trailers ignored)
  let header = Buffer.alloc(0);
  let left = 0;
  return new Transform({
    transform(chunk, _encoding, callback) {
      let i = 0;
      while (i < chunk.length) {
        if (state === 0) {
          const nl = chunk.indexOf(10, i);
          if (nl < 0) {
            header = Buffer.concat([header, chunk.subarray(i)]);
            break;
          }
          const line = Buffer.concat([header, chunk.subarray(i, nl)])
            .toString('latin1')
            .replace(/\r$/, '');
          header = Buffer.alloc(0);
          i = nl + 1;
          left = parseInt(line.split(';')[0], 16);
          if (!Number.isFinite(left)) return callback(new Error(`bad aws-chunked chunk header: ${line.slice(0, 80)}`));
          state = left === 0 ? 3 : 1;
        } else if (state === 1) {
          const n = Math.min(left, chunk.length - i);
          this.push(chunk.subarray(i, i + n));
          i += n;
          left -= n;
          if (left === 0) {
            state = 2;
            left = 2;
          }
        } else if (state === 2) {
          const n = Math.min(left, chunk.length - i);
          i += n;
          left -= n;
          if (left === 0) state = 0;
        } else break;
      }
      callback();
    },
  });
}

const require = createRequire(import.meta.url);
const S3rver = require('s3rver');
const FilesystemStore = require('s3rver/lib/stores/filesystem.js');
const listObjects = FilesystemStore.prototype.listObjects;
FilesystemStore.prototype.listObjects = async function (bucket, options) {
  const { delimiter = '', maxKeys = Infinity, prefix = '' } = options;
  if (!delimiter) return listObjects.call(this, bucket, options);
  const all = await listObjects.call(this, bucket, { ...options, delimiter: '', maxKeys: Infinity });
  const commonPrefixes = new Set();
  const objects = [];
  let isTruncated = false;
  for (const o of all.objects) {
    const idx = o.key.slice(prefix.length).indexOf(delimiter);
    if (idx !== -1) commonPrefixes.add(o.key.slice(0, prefix.length + idx + 1));
    else if (objects.length < maxKeys) objects.push(o);
    else {
      isTruncated = true;
      break;
    }
  }
  return { objects, commonPrefixes: [...commonPrefixes].sort(), isTruncated };
};
// HTTPS when given a key and certificate (S3RVER_TLS_KEY, S3RVER_TLS_CERT: PEM files), as providers that insist on https.
const tls =
  process.env.S3RVER_TLS_KEY && process.env.S3RVER_TLS_CERT
    ? { key: readFileSync(process.env.S3RVER_TLS_KEY), cert: readFileSync(process.env.S3RVER_TLS_CERT) }
    : {};
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: !process.env.S3RVER_LOGS,
  directory: process.argv[2],
  ...tls,
});
let decodedRequests = 0;
if (process.env.S3RVER_DECODE_CHUNKED === '1') {
  // Koa composes its middleware when it starts listening, so this one runs first.
  server.middleware.unshift(async (ctx, next) => {
    if (String(ctx.get('x-amz-content-sha256')).startsWith('STREAMING-')) {
      decodedRequests++;
      const h = ctx.request.headers;
      if (h['x-amz-decoded-content-length'] !== undefined) h['content-length'] = h['x-amz-decoded-content-length'];
      if (h['content-encoding']) {
        const rest = h['content-encoding']
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s && s !== 'aws-chunked');
        if (rest.length) h['content-encoding'] = rest.join(', ');
        else delete h['content-encoding'];
      }
      const decoded = awsChunkedDecoder();
      ctx.req.on('error', (err) => decoded.destroy(err));
      ctx.req = ctx.req.pipe(decoded);
    }
    return next();
  });
}
process.stdin.on('data', (d) => {
  if (String(d).includes('count')) process.stdout.write(`${JSON.stringify({ decodedRequests })}\n`);
});
server.run().then(
  (address) => {
    server.httpServer.keepAliveTimeout = 60000;
    server.httpServer.headersTimeout = 61000;
    process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
  },
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
// Under clients racing on the same keys, s3rver's folder cleanups after a delete fail (ENOENT on
// rmdir and scandir, in its log); those it answers with a 500. Should such an error ever escape as
// an unhandled rejection or exception, it would end this process, and every later request would
// find nothing listening (the vault concurrency test once failed so in CI, cause unseen). Say what
// it was and go on serving.
for (const event of ['unhandledRejection', 'uncaughtException']) {
  process.on(event, (err) => process.stderr.write(`s3rver-child: ${event}: ${err?.stack ?? err}\n`));
}
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
