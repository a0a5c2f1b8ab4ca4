/** What `app.info` said: version, host, and whether onboarding is still needed. */
import { create } from 'zustand';
import type { AppInfo } from '../../../shared/api/entities.js';
import { api } from '../api/client.js';

interface AppInfoState {
  info: AppInfo | null;
  error: unknown;
  load(): Promise<AppInfo | null>;
}

export const useAppInfo = create<AppInfoState>((set) => ({
  info: null,
  error: null,
  async load() {
    try {
      const info = await api().call('app.info', {});
      set({ info, error: null });
      return info;
    } catch (error) {
      set({ error });
      return null;
    }
  },
}));
