/** The saved destinations, shared by the Sources, Destinations and onboarding screens. */
import { create } from 'zustand';
import type { DestinationInfo } from '../../../shared/api/entities.js';
import { api } from '../api/client.js';

interface DestinationsState {
  list: DestinationInfo[] | null;
  error: unknown;
  load(): Promise<void>;
}

export const useDestinations = create<DestinationsState>((set) => ({
  list: null,
  error: null,
  async load() {
    try {
      set({ list: await api().call('destinations.list', {}), error: null });
    } catch (error) {
      set({ error });
    }
  },
}));
