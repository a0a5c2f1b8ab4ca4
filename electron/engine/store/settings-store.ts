import type { Db } from './database.js';

export interface EngineSettings {
  concurrency: number;
  bandwidthLimit: number | null;
  theme: 'system' | 'light' | 'dark';
  launchAtLogin: boolean;
  notifyOnSuccess: boolean;
  skipOnBattery: boolean;
  schedulesPaused: boolean;
  /** The URL itself is a secret (WEBHOOK_SECRET in the secret store); this says one is saved. */
  webhookConfigured: boolean;
  webhookStyle: 'chat' | 'healthchecks';
}

/** Where the webhook URL is kept (chat webhook URLs carry their own credentials). */
export const WEBHOOK_SECRET = 'webhook-url';

export const DEFAULT_SETTINGS: EngineSettings = {
  concurrency: 48,
  bandwidthLimit: null,
  theme: 'system',
  launchAtLogin: false,
  notifyOnSuccess: false,
  skipOnBattery: false,
  schedulesPaused: false,
  webhookConfigured: false,
  webhookStyle: 'chat',
};

/** User settings, one JSON value per key; unknown keys are ignored so older builds can read newer databases. */
export class SettingsStore {
  constructor(private readonly db: Db) {}

  get(): EngineSettings {
    const rows = this.db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
    const out: EngineSettings = { ...DEFAULT_SETTINGS };
    for (const r of rows) {
      if (r.key in out) (out as unknown as Record<string, unknown>)[r.key] = JSON.parse(r.value);
    }
    return out;
  }

  set(patch: Partial<EngineSettings>): EngineSettings {
    const put = this.db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.db.transaction(() => {
      for (const [k, v] of Object.entries(patch)) if (v !== undefined) put.run(k, JSON.stringify(v));
    })();
    return this.get();
  }
}
