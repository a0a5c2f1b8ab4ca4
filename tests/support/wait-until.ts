/** Polls `ok` every 20 ms until it holds; throws after `ms` (for tests driving a scheduler with a fake clock). */
export async function waitUntil(ok: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
