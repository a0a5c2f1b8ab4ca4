import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Credentials, S3DestinationConfig } from '../../electron/engine/destinations/config.js';

/** s3rver accepts this key pair; it does not check SigV4 signatures (see fault-proxy verifySignatures). */
export const S3RVER_CREDENTIALS: S3Credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface S3rverHarness {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  /** Where s3rver keeps its buckets (one folder per bucket). */
  directory: string;
  /** The server's process id. */
  pid: number;
  createBucket(name: string): Promise<void>;
  /** A provider 'other', path-style destination config for `bucket` on this server (or at `endpoint`, e.g. a proxy). */
  config(bucket: string, prefix?: string, endpoint?: string): S3DestinationConfig;
  credentials: S3Credentials;
  stop(): Promise<void>;
}

export function s3DestinationConfig(endpoint: string, bucket: string, prefix = ''): S3DestinationConfig {
  return {
    kind: 's3',
    provider: 'other',
    bucket,
    prefix,
    endpoint,
    region: 'us-east-1',
    pathStyle: true,
    accessKeyId: S3RVER_CREDENTIALS.accessKeyId,
  };
}

/** The server process: patches for s3rver's known limits are described there. */
const CHILD = fileURLToPath(new URL('./s3rver-child.mjs', import.meta.url));

function waitForPort(child: ChildProcess, stderr: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited with code ${code} before listening: ${stderr()}`)));
    child.once('error', reject);
  });
}

/**
 * Starts s3rver in its own process (its own core, like a real server) on 127.0.0.1, a free
 * port and a fresh temp directory, logs off (S3RVER_LOGS=1 turns them on).
 */
export async function startS3rver(
  buckets: string[] = [],
  opts: { tls?: { keyFile: string; certFile: string } } = {},
): Promise<S3rverHarness> {
  const directory = await mkdtemp(join(tmpdir(), 'strata-s3rver-'));
  const env = opts.tls
    ? { ...process.env, S3RVER_TLS_KEY: opts.tls.keyFile, S3RVER_TLS_CERT: opts.tls.certFile }
    : process.env;
  const child = spawn(process.execPath, [CHILD, directory], { stdio: ['pipe', 'pipe', 'pipe'], env });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
    if (process.env['S3RVER_LOGS']) process.stderr.write(chunk);
  });
  let port: number;
  try {
    port = await waitForPort(child, () => stderr);
  } catch (err) {
    child.kill('SIGKILL');
    await rm(directory, { recursive: true, force: true });
    throw err;
  }
  child.stdout?.resume();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const createBucket = async (name: string) => {
    if (name.length < 3 || !/^[a-z0-9][a-z0-9.-]+$/.test(name)) throw new Error(`"${name}" is not a valid bucket name`);
    // An s3rver bucket is a folder in its directory; this is what its own putBucket does.
    await mkdir(join(directory, name), { recursive: true, mode: 0o755 });
  };
  for (const b of buckets) await createBucket(b);
  let stopped = false;
  // A server that dies under a test shows up there as refused connections: say why it died.
  child.once('exit', (code, signal) => {
    if (!stopped) process.stderr.write(`s3rver at ${endpoint} exited (${signal ?? code}) during a test:\n${stderr}\n`);
  });
  return {
    endpoint,
    directory,
    pid: child.pid ?? -1,
    createBucket,
    config: (bucket, prefix = '', at = endpoint) => s3DestinationConfig(at, bucket, prefix),
    credentials: S3RVER_CREDENTIALS,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      child.kill('SIGTERM');
      await exited;
      await rm(directory, { recursive: true, force: true });
    },
  };
}
