import type { StrataService } from '../engine/service.js';

/**
 * Resolves once SIGINT or SIGTERM has stopped the service at a safe point (a running backup
 * records what it sent; the next run continues) and `cleanup` has run. A second signal quits at once.
 */
export function untilStopped(
  service: StrataService,
  log: (line: string) => void,
  cleanup: () => Promise<void> | void = () => undefined,
): Promise<void> {
  // Scheduler timers do not hold the process open (a one-shot CLI must exit): this does.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  return new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) {
        log('Stopping now.');
        process.exit(130);
      }
      stopping = true;
      log(
        service.busy
          ? `${signal}: stopping the running backup at a safe point (press Ctrl+C again to quit at once)…`
          : `${signal}: stopping.`,
      );
      void service
        .shutdown()
        .then(cleanup)
        .finally(() => {
          clearInterval(keepAlive);
          process.off('SIGINT', onInt);
          process.off('SIGTERM', onTerm);
          resolve();
        });
    };
    const onInt = (): void => stop('SIGINT');
    const onTerm = (): void => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}
