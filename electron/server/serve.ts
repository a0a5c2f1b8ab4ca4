import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeError, StrataError } from '../../shared/errors.js';
import type { Engine } from '../engine/engine.js';
import { StrataService } from '../engine/service.js';
import { untilStopped } from './stop-signal.js';
import { startHost, type RunningHost } from './host/http-host.js';
import { onBatteryPower } from './power-source.js';
import { scheduleOptionsFromEnv } from './schedule-env.js';

/** The built renderer, from dist/electron/server (built) or electron/server (run from source). */
export function rendererDir(): string {
  for (const rel of ['../../renderer', '../../dist/renderer']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}/index.html`)) return dir;
  }
  return fileURLToPath(new URL('../../renderer', import.meta.url));
}

export interface ServeOptions {
  engine: Engine;
  port?: number;
  log?: (line: string) => void;
}

/**
 * Runs the headless host until SIGINT/SIGTERM. On the way out a running backup is stopped at a
 * safe point (what it sent is recorded; the next run continues), then the database is closed.
 */
export async function serve(opts: ServeOptions): Promise<void> {
  const log = opts.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const service = new StrataService(opts.engine, {
    host: 'headless',
    onBattery: () => onBatteryPower(),
    ...scheduleOptionsFromEnv(),
  });
  // Open the secret store now, so a vault passphrase is asked for at the terminal, not mid-request.
  try {
    await opts.engine.secrets();
  } catch (err) {
    log(`Note: secrets are not available yet (${describeError(err)}); the page asks for the vault passphrase.`);
  }
  let host: RunningHost;
  try {
    host = await startHost({ service, port: opts.port ?? 0, staticDir: rendererDir() });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') {
      throw new StrataError(
        'busy',
        `port ${opts.port} is already in use`,
        'choose another with --port, or leave it out to pick a free one',
      );
    }
    throw err;
  }
  service.startScheduler();
  log(`Strata is running at ${host.url}`);
  log('Open that address in a browser on this machine (it carries this session’s access token). Ctrl+C stops.');

  await untilStopped(service, log, () => host.close());
  log('Strata stopped.');
}
