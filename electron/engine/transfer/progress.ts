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
  /** The same counts for each destination (by id): what it must receive and has received. */
  perDestination?: Record<string, ProgressSnapshot>;
}

function empty(): ProgressSnapshot {
  return {
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
}

/** A smoothed rate and ETA over one set of counts. */
class Rate {
  private lastT: number;
  private lastBytes = 0;
  constructor(now: number) {
    this.lastT = now;
  }
  update(s: ProgressSnapshot, t: number): void {
    const dt = (t - this.lastT) / 1000;
    if (dt >= 0.5) {
      const inst = (s.bytesSent - this.lastBytes) / dt;
      // Exponential smoothing keeps the ETA from jumping with every small file.
      s.bytesPerSecond = s.bytesPerSecond ? s.bytesPerSecond * 0.7 + inst * 0.3 : inst;
      this.lastT = t;
      this.lastBytes = s.bytesSent;
    }
    const left = s.bytesToSend - s.bytesSent;
    s.etaSeconds = s.scanDone && s.bytesPerSecond > 0 ? Math.max(0, Math.round(left / s.bytesPerSecond)) : undefined;
  }
}

/**
 * Counts and a smoothed rate, for the run and per destination. The clock is injected so tests need not sleep.
 */
export class ProgressTracker {
  private s: ProgressSnapshot = empty();
  private readonly rate: Rate;
  private readonly dests = new Map<string, { s: ProgressSnapshot; rate: Rate }>();
  private lastEmit = 0;

  constructor(
    private readonly emit: (p: ProgressSnapshot) => void,
    private readonly now: () => number = Date.now,
    private readonly intervalMs = 200,
  ) {
    this.rate = new Rate(now());
  }

  /** Destinations taking part (so each shows a bar from the start). */
  destinations(ids: string[]): void {
    for (const id of ids) this.dest(id);
  }

  scanned(bytes: number): void {
    this.s.filesScanned++;
    this.s.bytesScanned += bytes;
    this.tick();
  }

  planned(bytes: number, destIds: string[] = []): void {
    this.s.filesToSend++;
    this.s.bytesToSend += bytes;
    for (const id of destIds) {
      const d = this.dest(id).s;
      d.filesToSend++;
      d.bytesToSend += bytes;
    }
    this.tick();
  }

  sentBytes(bytes: number): void {
    this.s.bytesSent += bytes;
    this.tick();
  }

  destBytes(destId: string, bytes: number): void {
    this.dest(destId).s.bytesSent += bytes;
  }

  /** `perDest`: for each destination the file was meant for, whether it landed there. */
  fileDone(path: string, failed: boolean, perDest: [string, boolean][] = []): void {
    if (failed) this.s.filesFailed++;
    else this.s.filesSent++;
    this.s.current = path;
    for (const [id, ok] of perDest) {
      const d = this.dest(id).s;
      if (ok) d.filesSent++;
      else d.filesFailed++;
      d.current = path;
    }
    this.tick();
  }

  phase(phase: ProgressSnapshot['phase']): void {
    this.s.phase = phase;
    if (phase !== 'scan') this.s.scanDone = true;
    for (const d of this.dests.values()) {
      d.s.phase = phase;
      d.s.scanDone = this.s.scanDone;
    }
    this.tick(true);
  }

  snapshot(): ProgressSnapshot {
    const out: ProgressSnapshot = { ...this.s };
    if (this.dests.size) {
      out.perDestination = Object.fromEntries([...this.dests].map(([id, d]) => [id, { ...d.s }]));
    }
    return out;
  }

  private dest(id: string): { s: ProgressSnapshot; rate: Rate } {
    let d = this.dests.get(id);
    if (!d) {
      d = { s: { ...empty(), phase: this.s.phase, scanDone: this.s.scanDone }, rate: new Rate(this.now()) };
      this.dests.set(id, d);
    }
    return d;
  }

  private tick(force = false): void {
    const t = this.now();
    if (!force && t - this.lastEmit < this.intervalMs) return;
    this.rate.update(this.s, t);
    for (const d of this.dests.values()) {
      d.s.filesScanned = this.s.filesScanned;
      d.s.bytesScanned = this.s.bytesScanned;
      d.rate.update(d.s, t);
    }
    this.lastEmit = t;
    this.emit(this.snapshot());
  }
}
