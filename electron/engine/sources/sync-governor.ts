/**
 * Decides when blocking file-system calls may be used. On a local disk an lstat or a small
 * read costs a few microseconds when blocking and four to five times more through libuv's
 * thread pool (node 20, measured), so a walk or a run of small reads goes much faster blocking.
 * On a network share or a sleeping disk a blocking call would hold the event loop (uploads,
 * progress, the UI's API) for milliseconds each, so the governor turns blocking off for good
 * once one call is very slow, and for a while when a window of calls is slow on average (on two
 * busy cores preemption alone can do that; it tries blocking again after `retryAfterMs`). It
 * hands the event loop a turn every `sliceMs` meanwhile: 1 ms, as a backup's worker threads get
 * the files the walk hands out, and the answers they wait for, only when the loop turns. With
 * 10 ms, a thread sat idle for a good part of a backup of small files, which took ~8 % longer.
 */
export class SyncGovernor {
  private enabled: boolean;
  private sliceStart = performance.now();
  private windowCalls = 0;
  private windowMs = 0;
  /** When a slow average turned blocking off, the time to try again; undefined when off for good. */
  private retryAt: number | undefined;
  private permanentlyOff = false;

  constructor(
    available: boolean,
    private readonly limits = { slowCallMs: 50, slowAverageMs: 0.25, window: 256, sliceMs: 1, retryAfterMs: 5000 },
  ) {
    this.enabled = available;
  }

  /** Whether the next call may block. */
  get useSync(): boolean {
    if (!this.enabled && this.retryAt !== undefined && performance.now() >= this.retryAt) {
      this.retryAt = undefined;
      this.enabled = true;
    }
    return this.enabled;
  }

  /** Call before a blocking call: yields to the event loop when it has been held a whole slice. */
  async pace(): Promise<void> {
    if (performance.now() - this.sliceStart <= this.limits.sliceMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.sliceStart = performance.now();
  }

  /** Times a blocking call and turns blocking off if the file system is not fast enough. */
  run<T>(call: () => T): T {
    const started = performance.now();
    try {
      return call();
    } finally {
      this.record(performance.now() - started);
    }
  }

  private record(ms: number): void {
    const { slowCallMs, slowAverageMs, window } = this.limits;
    this.windowMs += ms;
    if (ms > slowCallMs) {
      this.enabled = false;
      this.retryAt = undefined;
      this.permanentlyOff = true;
    } else if (++this.windowCalls === window && this.windowMs / window > slowAverageMs) {
      this.enabled = false;
      this.windowCalls = 0;
      this.windowMs = 0;
      if (!this.permanentlyOff) this.retryAt = performance.now() + this.limits.retryAfterMs;
    } else if (this.windowCalls === window) {
      this.windowCalls = 0;
      this.windowMs = 0;
    }
  }
}
