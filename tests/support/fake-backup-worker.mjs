// A stand-in for backup-worker.js that speaks its protocol in one of a few ways (workerData.mode),
// so the main thread's side (backup-workers.ts) can be tested on what a real worker rarely does.
import { parentPort, workerData } from 'node:worker_threads';

const id = (c) => c.repeat(64);
parentPort.postMessage({ type: 'ready' });
parentPort.on('message', (batch) => {
  for (const m of batch) {
    if (m.type !== 'file') continue;
    if (workerData.mode === 'ok') {
      const blob = new Uint8Array([1, 2, 3]);
      const done = { sha256: id('5'), bytes: 3, ids: [id('a')] };
      parentPort.postMessage([{ type: 'chunk', job: m.job, id: id('a'), raw: 3, blob, done }], [blob.buffer]);
    } else if (workerData.mode === 'die-after-ask') {
      // Asks about a large chunk, and stops before it can send it.
      parentPort.postMessage([{ type: 'chunk', job: m.job, id: id('b'), raw: 300_000 }]);
      setTimeout(() => process.exit(3), 50);
    } else if (workerData.mode === 'unreadable') {
      const error = {
        name: 'StrataError',
        message: `${m.facts.path} cannot be read: permission denied`,
        strata: 'permission',
        hint: 'give Strata read access to it or exclude it',
      };
      parentPort.postMessage([{ type: 'failed', job: m.job, error }]);
    }
  }
});
