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

/** `count` workers of `url`, each given `setup`; undefined (all stopped) when any fails to get ready. */
export async function startWorkers(url: URL, setup: unknown, count: number): Promise<Worker[] | undefined> {
  const workers = Array.from({ length: count }, () => {
    const worker = new Worker(url, { workerData: setup });
    // A run that ends without closing its pool must not be kept alive by it.
    worker.unref();
    return worker;
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
