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

/** Asked before the current screen is left; false stays (the screen asks the user, then goes on itself). */
export type LeaveGuard = (next: Screen) => boolean;

interface RouteState {
  screen: Screen;
  /** Set by a screen with unsaved work while it is shown. */
  leaveGuard: LeaveGuard | null;
  go(screen: Screen): void;
  setLeaveGuard(guard: LeaveGuard | null): void;
}

export const useRoute = create<RouteState>((set, get) => ({
  screen: 'dashboard',
  leaveGuard: null,
  go: (screen) => {
    const { screen: current, leaveGuard } = get();
    if (screen !== current && leaveGuard && !leaveGuard(screen)) return;
    set({ screen });
  },
  setLeaveGuard: (leaveGuard) => set({ leaveGuard }),
}));
