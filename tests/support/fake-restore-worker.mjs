// A stand-in for restore-worker.js that speaks its protocol: each file is "written" a moment after it
// arrives, and its one 'bytes' message carries this thread's id instead of a count, so the main
// thread's side (restore-workers.ts) can be tested on which worker it handed each file to.
import { parentPort, threadId } from 'node:worker_threads';

parentPort.postMessage({ type: 'ready' });
parentPort.on('message', (m) => {
  if (m.type !== 'write') return;
  for (const job of m.jobs) {
    setTimeout(() => {
      // A part of a large file is placed by the main thread once all its parts are in.
      parentPort.postMessage({
        type: 'events',
        events: [
          { type: 'bytes', job: job.job, n: threadId },
          { type: 'done', job: job.job, placed: job.offset === undefined },
        ],
      });
    }, 2);
  }
});
