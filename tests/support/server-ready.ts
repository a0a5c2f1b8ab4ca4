import type { ChildProcess } from 'node:child_process';

/**
 * Polls `probe` (which throws until the server answers) every 200 ms. When the server exits or
 * `ms` pass first, kills it and fails with the end of its log, so a test says why it never started.
 */
export async function waitForServer(
  server: ChildProcess,
  probe: () => void,
  what: string,
  log: () => string,
  ms: number,
): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      probe();
      return;
    } catch {
      if (server.exitCode !== null || Date.now() > deadline) {
        server.kill('SIGKILL');
        throw new Error(`${what} did not start:\n${log()}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
