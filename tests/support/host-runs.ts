/**
 * Waiting for backups started through a host's API (e2e and integration tests). Plain loops
 * rather than expect.poll, which hooks cannot use. A run is over once its record says so and the
 * host has let go of it: the record is written a moment first, and an action that a running
 * backup forbids (a passphrase change, a check) would be refused in between.
 */
type Call = (method: string, input?: unknown) => Promise<unknown>;

export interface RunRow {
  id: number;
  status: string;
}

/** Waits for the run `pick` finds among the latest ones to end; fails unless it ended ok. */
export async function waitForRunOk(
  call: Call,
  pick: (runs: RunRow[]) => RunRow | undefined,
  timeoutMs = 60_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const status = pick((await call('runs.list', { limit: 5 })) as RunRow[])?.status;
    if (status && status !== 'running' && (await call('runs.active', {})) === null) {
      if (status !== 'ok') throw new Error(`the backup ended ${status}`);
      return;
    }
    if (Date.now() > until) throw new Error(`the backup did not finish in ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until no run is going on. */
export async function waitForIdle(call: Call, timeoutMs = 60_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
    if ((await call('runs.active', {})) === null) return;
  }
  throw new Error(`a run was still going on after ${timeoutMs / 1000} s`);
}
