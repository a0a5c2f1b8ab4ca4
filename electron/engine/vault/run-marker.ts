/**
 * A backup into a vault announces itself with a run marker (runs/<random>), refreshed while it
 * runs and deleted when it ends. It is not a lock: backups never wait for each other. A
 * collection reads the markers so it never deletes packs a backup that began before them may
 * still reference (vault/collect.ts). Times are the destination's own (lastModified), so machines
 * with skewed clocks still agree on what came first.
 *
 * Marker body (sealed as kind 'run', context = the marker's key): JSON { startedAt, host }, where
 * startedAt is the first write's lastModified in ms (absent in that first write).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { StrataError } from '../../../shared/errors.js';
import type { Destination } from '../destinations/types.js';
import type { BlobCodec } from './codec.js';
import { readObject } from './pack-fetch.js';
import { sha256Hex } from './pack-format.js';

export const RUNS_PREFIX = 'runs/';
/** How often a running backup rewrites its marker. */
export const HEARTBEAT_MS = 5 * 60_000;
/** A marker not rewritten for this long belongs to a run that died (killed, or asleep for long). */
export const STALE_MS = 30 * 60_000;
/** Markers this old are deleted by a collection: long dead runs. */
const FORGET_MS = 7 * 24 * 3600_000;

export interface RunInfo {
  key: string;
  /** When the run began, in the destination's clock (ms). */
  startedAt: number;
  /** Its marker's last refresh, in the destination's clock (ms). */
  lastSeen: number;
  host: string;
  /** A collection (prune) rather than a backup: collections exclude each other. */
  collect: boolean;
}

export class RunMarker {
  readonly key = `${RUNS_PREFIX}${randomBytes(16).toString('hex')}`;
  private startedAt: number | undefined;
  private lastBeat = 0;
  private lapsedOnce = false;
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> = Promise.resolve();

  constructor(
    private readonly dest: Destination,
    private readonly codec: BlobCodec,
    private readonly clock: () => number = Date.now,
    private readonly collect = false,
  ) {}

  /** Written before the run reads the vault's index and collection markers: the order collections rely on. */
  async start(): Promise<void> {
    await this.put();
    const info = await this.dest.head(this.key);
    this.startedAt = info?.lastModified?.getTime() ?? this.clock();
    this.lastBeat = this.clock();
    this.timer = setInterval(() => {
      this.beating = this.beating.then(() => this.beat());
    }, HEARTBEAT_MS);
    this.timer.unref();
  }

  /**
   * Whether a collection may have taken this run for dead: a refresh came (or is now) later than
   * STALE_MS allows, e.g. after the computer slept. The run must then check its packs still exist.
   */
  lapsed(): boolean {
    return this.lapsedOnce || this.clock() - this.lastBeat > STALE_MS - HEARTBEAT_MS;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.beating;
    if (this.startedAt === undefined) return;
    this.startedAt = undefined;
    // A marker left behind only delays collections until it goes stale.
    await this.dest.delete([this.key]).catch(() => undefined);
  }

  private async beat(): Promise<void> {
    if (this.startedAt === undefined) return;
    try {
      await this.put();
      const now = this.clock();
      if (now - this.lastBeat > STALE_MS - HEARTBEAT_MS) this.lapsedOnce = true;
      this.lastBeat = now;
    } catch {
      // Missed refreshes show in lapsed(), which the run checks before writing its snapshot.
    }
  }

  private async put(): Promise<void> {
    const body = Buffer.from(
      JSON.stringify({
        ...(this.startedAt !== undefined ? { startedAt: this.startedAt } : {}),
        host: hostname(),
        ...(this.collect ? { collect: true } : {}),
      }),
    );
    const sealed = this.codec.encode(body, 'run', this.key);
    await this.dest.putBuffer(this.key, sealed, sha256Hex(sealed));
  }
}

/**
 * Runs whose markers are fresh (refreshed within STALE_MS of `now`, the destination's clock as
 * near as the caller knows it). Dead runs' markers older than a week are deleted.
 */
export async function liveRuns(dest: Destination, codec: BlobCodec, now: number): Promise<RunInfo[]> {
  const live: RunInfo[] = [];
  const forget: string[] = [];
  for await (const o of dest.list(RUNS_PREFIX)) {
    if (!/^runs\/[0-9a-f]{32}$/.test(o.key)) continue;
    const lastSeen = o.lastModified?.getTime() ?? now;
    if (now - lastSeen > FORGET_MS) forget.push(o.key);
    if (now - lastSeen > STALE_MS) continue;
    let body: { startedAt?: unknown; host?: unknown; collect?: unknown };
    try {
      body = JSON.parse(codec.decode(await readObject(dest, o.key), 'run', o.key).toString('utf8')) as typeof body;
    } catch (err) {
      if (err instanceof StrataError && err.code === 'not-found') continue; // it ended meanwhile
      // An unreadable fresh marker: assume the worst, a run as old as can be.
      body = { startedAt: 0 };
    }
    live.push({
      key: o.key,
      startedAt: typeof body.startedAt === 'number' ? body.startedAt : lastSeen,
      lastSeen,
      host: typeof body.host === 'string' ? body.host : '',
      collect: body.collect === true,
    });
  }
  if (forget.length) await dest.delete(forget).catch(() => undefined);
  return live;
}
