import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/electron/server/strata.mjs', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  home: string;
  env?: Record<string, string | undefined>;
  uid?: number;
  gid?: number;
}

/** The env a test CLI runs with: its own home, the vault secret store, a fixed passphrase. */
export function cliEnv(o: CliOptions): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: o.home,
    STRATA_HOME: o.home,
    STRATA_SECRET_STORE: 'vault',
    STRATA_PASSPHRASE: 'test passphrase',
    ...o.env,
  };
}

/** Starts the built `strata` CLI as a child process, the way a person runs it. */
export function startCli(args: string[], o: CliOptions): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    env: cliEnv(o),
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(o.uid !== undefined ? { uid: o.uid, gid: o.gid ?? o.uid } : {}),
  });
}

export function runCli(args: string[], o: CliOptions): Promise<CliResult> {
  const child = startCli(args, o);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs and insists on exit 0, showing stderr when it is not. */
export async function cliOk(args: string[], o: CliOptions): Promise<string> {
  const r = await runCli(args, o);
  if (r.code !== 0) throw new Error(`strata ${args.join(' ')} exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

/** The final `{"type":"result"}` line of a --json run. */
export function resultOf<T = Record<string, unknown>>(stdout: string): T {
  const lines = stdout.trim().split('\n').filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    const v = JSON.parse(lines[i]!) as { type?: string };
    if (v.type === 'result' || v.type === 'error') return v as T;
  }
  throw new Error(`no result line in: ${stdout}`);
}

/** `strata dest add s3 …` for an s3rver (or a proxy in front of it); the secret goes in STRATA_SECRET_ACCESS_KEY. */
export function s3DestArgs(name: string, endpoint: string, bucket: string, prefix?: string): string[] {
  return [
    ...['dest', 'add', 's3', name, '--provider', 'other', '--bucket', bucket],
    ...(prefix ? ['--prefix', prefix] : []),
    ...['--endpoint', endpoint, '--region', 'us-east-1', '--access-key-id', 'S3RVER'],
  ];
}
