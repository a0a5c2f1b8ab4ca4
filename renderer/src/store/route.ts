/** Which screen the main layout shows (in memory: the URL fragment carries the host's token). */
import { create } from 'zustand';

export const SCREENS = ['dashboard', 'sources', 'destinations', 'restore', 'activity', 'settings'] as const;
export type Screen = (typeof SCREENS)[number];

export const SCREEN_TITLES: Record<Screen, string> = {
  dashboard: 'Dashboard',
  sources: 'Sources',
  destinations: 'Destinations',
  restore: 'Restore',
  activity: 'Activity',
  settings: 'Settings',
};

interface RouteState {
  screen: Screen;
  go(screen: Screen): void;
}

export const useRoute = create<RouteState>((set) => ({
  screen: 'dashboard',
  go: (screen) => set({ screen }),
}));
