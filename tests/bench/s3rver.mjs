// Starts s3rver in its own process on 127.0.0.1 with tests/support/s3rver-child.mjs, for the bench.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { track } from './measure.mjs';

export const S3RVER_KEY = 'S3RVER';

// The server process, shared with the tests; the bench turns on aws-chunked decoding for restic.
const CHILD = fileURLToPath(new URL('../support/s3rver-child.mjs', import.meta.url));

/**
 * Starts s3rver storing under `directory` (emptied first). Returns
 * { endpoint, port, pid, directory, createBucket(name), stop() }.
 */
export async function startS3rver(directory) {
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  const child = spawn(process.execPath, [CHILD, directory], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, S3RVER_LOGS: process.env.S3RVER_LOGS ?? '', S3RVER_DECODE_CHUNKED: '1' },
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
