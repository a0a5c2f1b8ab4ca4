/** Whether the event stream to the host is up (the HTTP host's WebSocket can drop and come back). */
import { create } from 'zustand';

interface ConnectionState {
  connected: boolean;
  setConnected(connected: boolean): void;
}

export const useConnection = create<ConnectionState>((set) => ({
  connected: true,
  setConnected: (connected) => set({ connected }),
}));
