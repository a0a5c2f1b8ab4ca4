/**
 * Starting a set of worker threads that each say 'ready' once set up (or anything else when they
 * cannot be), and finding their scripts: a worker script is there to run only when the engine was
 * built (not when run from TypeScript source in tests), and in the desktop app it is unpacked
 * beside the asar archive, where a thread can load it.
 */
import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** `script` beside `moduleUrl` (the caller's import.meta.url), when it exists. */
export function workerScriptUrl(script: string, moduleUrl: string): URL | undefined {
  const path = fileURLToPath(new URL(script, moduleUrl)).replace(`app.asar${sep}`, `app.asar.unpacked${sep}`);
  return existsSync(path) ? pathToFileURL(path) : undefined;
}

/** The workerData of a thread started before its setup is known: the setup comes as its first message. */
export const AWAIT_SETUP = 'await-setup';
export interface SetupMessage {
  type: 'setup';
  setup: unknown;
}

function spawn(url: URL, workerData: unknown): Worker {
  const worker = new Worker(url, { workerData });
  // A run that ends without closing its pool must not be kept alive by it.
  worker.unref();
  return worker;
}

/**
 * `count` workers of `url` started now, before what they need is known, so that loading their
 * code overlaps the caller's own wait (a vault's key being derived); `startWorkers` gives them
 * their setup. Only for scripts that understand AWAIT_SETUP.
 */
export function prestartWorkers(url: URL, count: number): Worker[] {
  return Array.from({ length: count }, () => {
    const worker = spawn(url, AWAIT_SETUP);
    // One that fails before it is used is replaced then (and its error must not go unheard).
    const lost = (): void => void gone.add(worker);
    worker.once('error', lost);
    worker.once('exit', lost);
    return worker;
  });
}

/** Prestarted threads that stopped before they were used. */
const gone = new WeakSet<Worker>();

/**
 * `count` workers of `url`, each given `setup`; undefined (all stopped) when any fails to get
 * ready. `started` are threads from prestartWorkers, used first.
 */
export async function startWorkers(
  url: URL,
  setup: unknown,
  count: number,
  prestarted: Worker[] = [],
): Promise<Worker[] | undefined> {
  const workers = Array.from({ length: count }, (_, i) => {
    const early = prestarted[i];
    if (!early || gone.has(early)) return spawn(url, setup);
    early.postMessage({ type: 'setup', setup } satisfies SetupMessage);
    return early;
  });
  const started = await Promise.all(
    workers.map(
      (w) =>
        new Promise<boolean>((resolve) => {
          w.once('message', (m: { type?: string }) => resolve(m.type === 'ready'));
          w.once('error', () => resolve(false));
          w.once('exit', () => resolve(false));
        }),
    ),
  );
  if (started.includes(false)) {
    await Promise.all(workers.map((w) => w.terminate()));
    return undefined;
  }
  return workers;
}
