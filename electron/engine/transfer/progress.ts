/** Progress of a run as the CLI and UI show it. Totals grow while the walk is still going. */
export interface ProgressSnapshot {
  phase: 'scan' | 'transfer' | 'commit' | 'done';
  filesScanned: number;
  bytesScanned: number;
  /** Files that need sending to at least one destination, and their bytes (per file, not per destination). */
  filesToSend: number;
  bytesToSend: number;
  filesSent: number;
  /** Bytes acknowledged by destinations, divided by the fan-out, so 100% means every copy landed. */
  bytesSent: number;
  filesFailed: number;
  scanDone: boolean;
  bytesPerSecond: number;
  /** Seconds left, once the walk is done and a rate is known. */
  etaSeconds: number | undefined;
  current: string | undefined;
}

/**
 * Counts and a smoothed rate. The clock is injected so tests need not sleep.
 */
export class ProgressTracker {
  private s: ProgressSnapshot = {
    phase: 'scan',
    filesScanned: 0,
    bytesScanned: 0,
    filesToSend: 0,
    bytesToSend: 0,
    filesSent: 0,
    bytesSent: 0,
    filesFailed: 0,
    scanDone: false,
    bytesPerSecond: 0,
    etaSeconds: undefined,
    current: undefined,
  };
  private lastT: number;
  private lastBytes = 0;
  private lastEmit = 0;

  constructor(
    private readonly emit: (p: ProgressSnapshot) => void,
    private readonly now: () => number = Date.now,
    private readonly intervalMs = 200,
  ) {
    this.lastT = now();
  }

  scanned(bytes: number): void {
    this.s.filesScanned++;
    this.s.bytesScanned += bytes;
    this.tick();
  }

  planned(bytes: number): void {
    this.s.filesToSend++;
    this.s.bytesToSend += bytes;
    this.tick();
  }

  sentBytes(bytes: number): void {
    this.s.bytesSent += bytes;
    this.tick();
  }

  fileDone(path: string, failed: boolean): void {
    if (failed) this.s.filesFailed++;
    else this.s.filesSent++;
    this.s.current = path;
    this.tick();
  }

  phase(phase: ProgressSnapshot['phase']): void {
    this.s.phase = phase;
    if (phase !== 'scan') this.s.scanDone = true;
    this.tick(true);
  }

  snapshot(): ProgressSnapshot {
    return { ...this.s };
  }

  private tick(force = false): void {
    const t = this.now();
    if (!force && t - this.lastEmit < this.intervalMs) return;
    const dt = (t - this.lastT) / 1000;
    if (dt >= 0.5) {
      const inst = (this.s.bytesSent - this.lastBytes) / dt;
      // Exponential smoothing keeps the ETA from jumping with every small file.
      this.s.bytesPerSecond = this.s.bytesPerSecond ? this.s.bytesPerSecond * 0.7 + inst * 0.3 : inst;
      this.lastT = t;
      this.lastBytes = this.s.bytesSent;
    }
    const left = this.s.bytesToSend - this.s.bytesSent;
    this.s.etaSeconds =
      this.s.scanDone && this.s.bytesPerSecond > 0 ? Math.max(0, Math.round(left / this.s.bytesPerSecond)) : undefined;
    this.lastEmit = t;
    this.emit(this.snapshot());
  }
}
