/**
 * `strata backup` keeps to a bandwidth limit on both layouts: the app's saved limit by default,
 * so a cron-driven run behaves like a scheduled one, or `--bwlimit` for one run (`off` for none).
 * A throttled run cannot finish sooner than its bytes allow, which is what these check: lower
 * bounds only, never how fast a run is.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/engine.js';
import { cliEnv, cliOk, resultOf } from '../support/cli.js';
import { put, randomBytes } from '../support/tree.js';

const MiB = 1024 * 1024;
const PASSPHRASE = 'bandwidth test vault';

interface Outcome {
  status: string;
  results: { destName: string; bytesUploaded: number; storedBytes?: number }[];
}

describe('backup bandwidth limit', () => {
  let work: string;
  let home: string;
  let src: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'strata-bwlimit-'));
    home = join(work, 'home');
    src = join(work, 'src');
    await put(src, 'a.bin', randomBytes(64 * 1024));
    await cliOk(['source', 'add', 'local', 'docs', src], { home });
    await cliOk(['dest', 'add', 'local', 'mirror', join(work, 'mirror')], { home });
    await cliOk(['dest', 'add', 'local', 'vault', join(work, 'vault'), '--layout', 'vault'], {
      home,
      env: { STRATA_REPO_PASSPHRASE: PASSPHRASE },
    });
    await cliOk(['policy', 'set', 'docs', '/', '--to', 'mirror,vault'], { home });
    await cliOk(['backup', '--json'], { home });
  }, 60_000);

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  /** What the app's Settings screen saves. */
  function saveLimit(bytesPerSecond: number): void {
    const engine = Engine.open({ home, env: cliEnv({ home }) });
    try {
      engine.settings.set({ bandwidthLimit: bytesPerSecond });
    } finally {
      engine.close();
    }
  }

  /** Writes 3 MiB of new random content, backs up to `dest` and returns the outcome and seconds taken. */
  async function timedBackup(dest: string, args: string[]): Promise<{ outcome: Outcome; seconds: number }> {
    await put(src, 'a.bin', randomBytes(3 * MiB));
    const t0 = Date.now();
    const outcome = resultOf<Outcome>(await cliOk(['backup', '--json', '--dest', dest, ...args], { home }));
    return { outcome, seconds: (Date.now() - t0) / 1000 };
  }

  it.each(['mirror', 'vault'])('--bwlimit holds a backup to a %s to the rate', async (dest) => {
    const { outcome, seconds } = await timedBackup(dest, ['--bwlimit', '1M/s']);
    expect(outcome.status).toBe('ok');
    const sent = dest === 'vault' ? outcome.results[0]!.storedBytes! : outcome.results[0]!.bytesUploaded;
    expect(sent).toBeGreaterThanOrEqual(3 * MiB);
    // The first second's worth goes at once (the bucket starts full); the rest waits for the rate.
    expect(seconds).toBeGreaterThanOrEqual((sent - MiB) / MiB - 0.1);
  });

  it("applies the app's saved limit by default, and --bwlimit off lifts it for one run", async () => {
    saveLimit(MiB);
    const limited = await timedBackup('vault', []);
    expect(limited.outcome.status).toBe('ok');
    expect(limited.seconds).toBeGreaterThanOrEqual(1.9);
    // A limit of 64 KiB/s would hold 3 MiB for 47 s: well inside that proves it was lifted.
    saveLimit(64 * 1024);
    const free = await timedBackup('vault', ['--bwlimit', 'off']);
    expect(free.outcome.status).toBe('ok');
    expect(free.outcome.results[0]!.storedBytes).toBeGreaterThanOrEqual(3 * MiB);
    expect(free.seconds).toBeLessThan(30);
  });
});
