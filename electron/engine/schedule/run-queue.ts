/**
 * Scheduled work waits here for the engine: one backup at a time, and a destination asked for
 * while it runs or waits is queued once, not piled up. Everything waiting when the engine
 * frees up goes in one run (the source is read once for all of them).
 */
export type Trigger = 'schedule' | 'catch-up';

export interface RunQueueDeps {
  /** Whether a backup (or prune) is running now. */
  busy(): boolean;
  /** Starts one run for these destinations; resolves when it has finished. */
  run(destinations: string[], trigger: Trigger): Promise<void>;
  onError?(err: unknown): void;
}

export class RunQueue {
  private readonly waiting = new Map<string, Trigger>();
  private draining = false;

  constructor(private readonly deps: RunQueueDeps) {}

  get pending(): string[] {
    return [...this.waiting.keys()];
  }

  enqueue(destinations: string[], trigger: Trigger): void {
    for (const d of destinations) if (!this.waiting.has(d)) this.waiting.set(d, trigger);
    void this.drain();
  }

  /** Called when the engine frees up (a manual run ended too). */
  idle(): void {
    void this.drain();
  }

  /** A destination removed or renamed must not be started. */
  forget(destination: string): void {
    this.waiting.delete(destination);
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.waiting.size > 0 && !this.deps.busy()) {
        const batch = [...this.waiting.entries()];
        this.waiting.clear();
        const trigger: Trigger = batch.some(([, t]) => t === 'schedule') ? 'schedule' : 'catch-up';
        try {
          await this.deps.run(
            batch.map(([d]) => d),
            trigger,
          );
        } catch (err) {
          this.deps.onError?.(err);
        }
      }
    } finally {
      this.draining = false;
    }
  }
}
