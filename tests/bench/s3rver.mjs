// Starts s3rver in its own process on 127.0.0.1, the way tests/support/s3rver.ts does (same
// OpenSSL 3 DES and decodeURI patches, same keep-alive settings), for the bench.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { track } from './measure.mjs';

export const S3RVER_KEY = 'S3RVER';

// Runs in the child. See tests/support/s3rver.ts for why each patch is there.
const CHILD = `
const crypto = require('crypto');
for (const name of ['createCipheriv', 'createDecipheriv']) {
  const original = crypto[name];
  crypto[name] = (algorithm, key, iv, options) =>
    algorithm === 'des' ? original('des-ede3-cbc', Buffer.concat([key, key, key]), iv, options) : original(algorithm, key, iv, options);
}
globalThis.decodeURI = decodeURIComponent;
const { Transform } = require('stream');
// aws-chunked bodies (x-amz-content-sha256: STREAMING-...) are decoded here, as real S3 does; s3rver
// would store them verbatim. restic's S3 client (minio-go) signs every upload this way over plain http.
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
          if (nl < 0) { header = Buffer.concat([header, chunk.subarray(i)]); break; }
          const line = Buffer.concat([header, chunk.subarray(i, nl)]).toString('latin1').replace(/\\r$/, '');
          header = Buffer.alloc(0);
          i = nl + 1;
          left = parseInt(line.split(';')[0], 16);
          if (!Number.isFinite(left)) return callback(new Error('bad aws-chunked chunk header: ' + line.slice(0, 80)));
          state = left === 0 ? 3 : 1;
        } else if (state === 1) {
          const n = Math.min(left, chunk.length - i);
          this.push(chunk.subarray(i, i + n));
          i += n;
          left -= n;
          if (left === 0) { state = 2; left = 2; }
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
let decodedRequests = 0;
const S3rver = require(process.argv[1]);
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: !process.env.S3RVER_LOGS, directory: process.argv[2] });
// Koa composes its middleware when it starts listening, so this one runs first.
server.middleware.unshift(async (ctx, next) => {
  if (String(ctx.get('x-amz-content-sha256')).startsWith('STREAMING-')) {
    decodedRequests++;
    const h = ctx.request.headers;
    if (h['x-amz-decoded-content-length'] !== undefined) h['content-length'] = h['x-amz-decoded-content-length'];
    if (h['content-encoding']) {
      const rest = h['content-encoding'].split(',').map((s) => s.trim()).filter((s) => s && s !== 'aws-chunked');
      if (rest.length) h['content-encoding'] = rest.join(', ');
      else delete h['content-encoding'];
    }
    const decoded = awsChunkedDecoder();
    ctx.req.on('error', (err) => decoded.destroy(err));
    ctx.req = ctx.req.pipe(decoded);
  }
  return next();
});
// The parent asks how many bodies were decoded ("count" on stdin).
process.stdin.on('data', (d) => {
  if (String(d).includes('count')) process.stdout.write(JSON.stringify({ decodedRequests }) + '\\n');
});
server.run().then((address) => {
  server.httpServer.keepAliveTimeout = 60000;
  server.httpServer.headersTimeout = 61000;
  process.stdout.write(JSON.stringify({ port: address.port }) + '\\n');
}, (err) => {
  console.error(err);
  process.exit(1);
});
// The parent holds stdin open; when it goes away, so does the server.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

/**
 * Starts s3rver storing under `directory` (emptied first). Returns
 * { endpoint, port, pid, directory, createBucket(name), stop() }.
 */
export async function startS3rver(directory) {
  const modulePath = createRequire(import.meta.url).resolve('s3rver');
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  const child = spawn(process.execPath, ['-e', CHILD, modulePath, directory], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, S3RVER_LOGS: process.env.S3RVER_LOGS ?? '' },
  });
  const untrack = track(child.pid, () => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.on('data', (c) => {
    stderr = (stderr + c.toString()).slice(-4000);
    if (process.env.S3RVER_LOGS) process.stderr.write(c);
  });
  const exited = new Promise((resolve) => child.once('exit', () => resolve()));
  // stdout carries JSON lines: first the port, then answers to "count" requests.
  const waiters = [];
  let out = '';
  child.stdout.on('data', (c) => {
    out += c.toString();
    let i;
    while ((i = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, i);
      out = out.slice(i + 1);
      waiters.shift()?.(JSON.parse(line));
    }
  });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s3rver did not start in 20 s: ${stderr}`)), 20_000);
    waiters.push((v) => {
      clearTimeout(timer);
      resolve(v.port);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with code ${code} before listening: ${stderr}`));
    });
  }).catch((err) => {
    child.kill('SIGKILL');
    untrack();
    throw err;
  });
  let stopped = false;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    directory,
    // An s3rver bucket is a folder in its directory; that is what its own putBucket does.
    createBucket: (name) => mkdirSync(join(directory, name), { recursive: true, mode: 0o755 }),
    /** How many request bodies arrived aws-chunked (streaming-signed) and were decoded. */
    decodedRequests: () =>
      new Promise((resolve) => {
        const timer = setTimeout(() => resolve(null), 5000);
        waiters.push((v) => {
          clearTimeout(timer);
          resolve(v.decodedRequests);
        });
        child.stdin.write('count\n');
      }),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      child.stdin.end();
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
      untrack();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
