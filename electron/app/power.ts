/**
 * Sleep and power-source hooks: after the machine wakes, ask for a catch-up once (waking
 * often fires several 'resume' events, and a lid can bounce), and tell scheduled runs to wait
 * while on battery when the user asked for that. Manual runs always go.
 */
import { realTimers, type Timers } from './window-state.js';

export type PowerEvent = 'resume' | 'suspend' | 'on-battery' | 'on-ac';

/** The slice of Electron's powerMonitor used here. */
export interface PowerMonitorLike {
  on(event: PowerEvent, listener: () => void): unknown;
  removeListener(event: PowerEvent, listener: () => void): unknown;
  isOnBatteryPower(): boolean;
}

export type RunTrigger = 'schedule' | 'manual';

export interface PowerSettings {
  skipOnBattery: boolean;
}

export const RESUME_DEBOUNCE_MS = 5000;

export interface PowerHooksOptions {
  powerMonitor: PowerMonitorLike;
  /** Called once per wake-up, RESUME_DEBOUNCE_MS after the last 'resume' (network and disks settle first). */
  onResume: () => void;
  /** Optional: the power source changed (for the UI or to re-check a deferred run). */
  onPowerSourceChange?: (onBattery: boolean) => void;
  debounceMs?: number;
  timers?: Timers;
}

/** Pure rule: only scheduled runs wait for AC power, and only when the user asked. */
export function shouldSkipRun(trigger: RunTrigger, settings: PowerSettings, onBattery: boolean): boolean {
  return trigger === 'schedule' && settings.skipOnBattery && onBattery;
}

export class PowerHooks {
  private readonly monitor: PowerMonitorLike;
  private readonly timers: Timers;
  private readonly debounceMs: number;
  private pending: unknown = undefined;
  private hasPending = false;
  private asleep = false;
  private readonly listeners: [PowerEvent, () => void][];

  constructor(private readonly options: PowerHooksOptions) {
    this.monitor = options.powerMonitor;
    this.timers = options.timers ?? realTimers;
    this.debounceMs = options.debounceMs ?? RESUME_DEBOUNCE_MS;
    this.listeners = [
      ['resume', () => this.resumed()],
      ['suspend', () => this.suspended()],
      ['on-battery', () => this.options.onPowerSourceChange?.(true)],
      ['on-ac', () => this.options.onPowerSourceChange?.(false)],
    ];
    for (const [event, fn] of this.listeners) this.monitor.on(event, fn);
  }

  /** True between 'suspend' and the next 'resume'. */
  get sleeping(): boolean {
    return this.asleep;
  }

  onBattery(): boolean {
    try {
      return this.monitor.isOnBatteryPower();
    } catch {
      return false;
    }
  }

  shouldSkip(trigger: RunTrigger, settings: PowerSettings): boolean {
    // Don't even ask the OS for manual runs.
    if (trigger !== 'schedule' || !settings.skipOnBattery) return false;
    return shouldSkipRun(trigger, settings, this.onBattery());
  }

  dispose(): void {
    this.cancel();
    for (const [event, fn] of this.listeners) this.monitor.removeListener(event, fn);
  }

  private resumed(): void {
    this.asleep = false;
    this.cancel();
    this.hasPending = true;
    this.pending = this.timers.setTimeout(() => {
      this.hasPending = false;
      this.options.onResume();
    }, this.debounceMs);
  }

  private suspended(): void {
    // Back to sleep before the catch-up fired: the next wake-up will ask instead.
    this.asleep = true;
    this.cancel();
  }

  private cancel(): void {
    if (this.hasPending) this.timers.clearTimeout(this.pending);
    this.hasPending = false;
  }
}
