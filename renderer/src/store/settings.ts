/** The app settings (theme, concurrency, bandwidth) and applying the theme to the page. */
import { create } from 'zustand';
import type { Settings, SettingsPatch } from '../../../shared/api/entities.js';
import { api } from '../api/client.js';

interface SettingsState {
  settings: Settings | null;
  error: unknown;
  load(): Promise<void>;
  /** Saves and keeps what the host answered; throws the ApiError for the form to show. */
  save(patch: SettingsPatch): Promise<Settings>;
}

/** 'system' follows the OS (tokens.css's media query); 'light' / 'dark' pin it. */
export function applyTheme(theme: Settings['theme'] | undefined): void {
  const root = document.documentElement;
  if (theme === 'light' || theme === 'dark') root.dataset.theme = theme;
  else delete root.dataset.theme;
}

export const useSettings = create<SettingsState>((set) => ({
  settings: null,
  error: null,
  async load() {
    try {
      const settings = await api().call('settings.get', {});
      set({ settings, error: null });
      applyTheme(settings.theme);
    } catch (error) {
      set({ error });
    }
  },
  async save(patch) {
    const settings = await api().call('settings.set', patch);
    set({ settings, error: null });
    applyTheme(settings.theme);
    return settings;
  },
}));
