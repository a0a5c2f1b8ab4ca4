import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, cliEnv } from './cli.js';

export interface ServedHost {
  url: string;
  origin: string;
  token: string;
  child: ChildProcess;
  output(): string;
  /** Calls the API the way the renderer does (token header, JSON body). */
  call<T = unknown>(method: string, input?: unknown): Promise<T>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs `strata serve` as a child process with its own data folder and waits for the address it prints. */
export async function startServe(home: string, env: Record<string, string> = {}): Promise<ServedHost> {
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: cliEnv({ home, env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`strata serve printed no address:\n${out}`)), 30_000);
    const check = (): void => {
      const m = /running at (http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`strata serve exited ${code}:\n${out}`)));
  });
  const origin = new URL(url).origin;
  const token = /token=([A-Za-z0-9_-]+)/.exec(url)![1]!;
  return {
    url,
    origin,
    token,
    child,
    output: () => out,
    async call<T>(method: string, input: unknown = {}): Promise<T> {
      const res = await fetch(`${origin}/api/call/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      const body = (await res.json()) as { ok: boolean; result?: T; error?: { message: string; hint?: string } };
      if (!body.ok) throw new Error(`${method}: ${body.error?.message} (${body.error?.hint ?? ''})`);
      return body.result as T;
    },
    stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null) return Promise.resolve(child.exitCode);
      return new Promise((resolve) => {
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      });
    },
  };
}
