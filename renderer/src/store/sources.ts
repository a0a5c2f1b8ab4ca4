/** The saved sources (local folders). */
import { create } from 'zustand';
import type { SourceInfo } from '../../../shared/api/entities.js';
import { api } from '../api/client.js';

interface SourcesState {
  list: SourceInfo[] | null;
  error: unknown;
  load(): Promise<void>;
}

export const useSources = create<SourcesState>((set) => ({
  list: null,
  error: null,
  async load() {
    try {
      set({ list: await api().call('sources.list', {}), error: null });
    } catch (error) {
      set({ error });
    }
  },
}));
