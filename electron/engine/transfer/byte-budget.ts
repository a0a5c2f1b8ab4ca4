/**
 * Bounds the bytes held in memory by in-flight transfers: the walk waits for room instead of
 * reading ahead, so memory stays flat however many files there are. A single item larger than
 * the whole budget is admitted alone.
 */
export class ByteBudget {
  private used = 0;
  private readonly waiters: { bytes: number; resolve: () => void }[] = [];

  constructor(private readonly limit: number) {}

  async acquire(bytes: number): Promise<void> {
    if (this.fits(bytes) && this.waiters.length === 0) {
      this.used += bytes;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push({ bytes, resolve }));
  }

  release(bytes: number): void {
    this.used -= bytes;
    while (this.waiters.length && this.fits(this.waiters[0]!.bytes)) {
      const w = this.waiters.shift()!;
      this.used += w.bytes;
      w.resolve();
    }
  }

  private fits(bytes: number): boolean {
    return this.used === 0 || this.used + bytes <= this.limit;
  }
}
