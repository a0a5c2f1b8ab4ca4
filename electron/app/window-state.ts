/**
 * The main window's bounds across restarts: a small JSON file, written atomically, read
 * forgivingly (missing or corrupt → defaults), and clamped to the displays attached now so a
 * window last seen on an unplugged monitor comes back where it can be seen.
 */
import { writeFileAtomic } from './atomic-write.js';
import { readFileSync } from 'node:fs';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState extends Rect {
  maximized: boolean;
}

export const DEFAULT_WIDTH = 1200;
export const DEFAULT_HEIGHT = 800;
export const MIN_WIDTH = 800;
export const MIN_HEIGHT = 560;
/** A window counts as reachable when at least this much of it (each way) is on some display. */
export const MIN_VISIBLE = 100;
export const SAVE_DELAY_MS = 500;

/** Used when no display is known (the composition normally passes the primary's work area). */
const FALLBACK_AREA: Rect = { x: 0, y: 0, width: 1920, height: 1080 };

/** 1200×800 (or the area, if smaller, but never under the minimum) centred on `area`. */
export function defaultWindowState(area: Rect = FALLBACK_AREA): WindowState {
  const width = Math.max(MIN_WIDTH, Math.min(DEFAULT_WIDTH, area.width));
  const height = Math.max(MIN_HEIGHT, Math.min(DEFAULT_HEIGHT, area.height));
  return { ...centre(width, height, area), maximized: false };
}

/** Reads the saved state; missing, unreadable or malformed → defaults centred on `area`. */
export function loadWindowState(file: string, area?: Rect): WindowState {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    return defaultWindowState(area);
  }
  try {
    return parseWindowState(JSON.parse(raw)) ?? defaultWindowState(area);
  } catch {
    return defaultWindowState(area);
  }
}

export function parseWindowState(value: unknown): WindowState | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const num = (k: string): number | null => {
    const n = v[k];
    return typeof n === 'number' && Number.isFinite(n) ? Math.round(n) : null;
  };
  const x = num('x');
  const y = num('y');
  const width = num('width');
  const height = num('height');
  if (x === null || y === null || width === null || height === null || width <= 0 || height <= 0) return null;
  return { x, y, width, height, maximized: v.maximized === true };
}

/** Writes to a temporary file beside it, then renames over: a crash never leaves half a file. */
export function saveWindowState(file: string, state: WindowState): void {
  const body = JSON.stringify({
    x: Math.round(state.x),
    y: Math.round(state.y),
    width: Math.round(state.width),
    height: Math.round(state.height),
    maximized: state.maximized,
  });
  writeFileAtomic(file, body + '\n');
}

/**
 * Fits the state to the displays attached now (pass each display's work area; the first is
 * the primary unless `primary` is given). Size is at least MIN_WIDTH×MIN_HEIGHT and at most
 * the display it lands on. When no display shows MIN_VISIBLE px of it each way, it is centred
 * on the primary.
 */
export function clampToDisplays(state: WindowState, displays: readonly Rect[], primary?: Rect): WindowState {
  const main = primary ?? displays[0];
  let width = Math.max(MIN_WIDTH, state.width);
  let height = Math.max(MIN_HEIGHT, state.height);
  if (!main) return { ...state, width, height };

  const home = displays.find((d) => visible({ ...state, width, height }, d));
  if (home) {
    width = Math.min(width, Math.max(MIN_WIDTH, home.width));
    height = Math.min(height, Math.max(MIN_HEIGHT, home.height));
    // Keep the title bar reachable: the top edge stays on the display.
    const y = Math.min(Math.max(state.y, home.y), home.y + home.height - MIN_VISIBLE);
    const fitted = { x: state.x, y, width, height };
    // Shrinking to the display can pull a mostly-off-screen window off it: centre it there instead.
    if (visible(fitted, home)) return { ...fitted, maximized: state.maximized };
    return { ...centre(width, height, home), maximized: state.maximized };
  }
  width = Math.min(width, Math.max(MIN_WIDTH, main.width));
  height = Math.min(height, Math.max(MIN_HEIGHT, main.height));
  return { ...centre(width, height, main), maximized: state.maximized };
}

function visible(r: Rect, d: Rect): boolean {
  const w = Math.min(r.x + r.width, d.x + d.width) - Math.max(r.x, d.x);
  const h = Math.min(r.y + r.height, d.y + d.height) - Math.max(r.y, d.y);
  return w >= MIN_VISIBLE && h >= MIN_VISIBLE;
}

function centre(width: number, height: number, area: Rect): Rect {
  return {
    x: Math.round(area.x + (area.width - width) / 2),
    y: Math.round(area.y + (area.height - height) / 2),
    width,
    height,
  };
}

export type WindowEvent = 'resize' | 'move' | 'maximize' | 'unmaximize' | 'close';

/** The slice of BrowserWindow that tracking needs. */
export interface TrackableWindow {
  on(event: WindowEvent, listener: () => void): unknown;
  removeListener(event: WindowEvent, listener: () => void): unknown;
  /** Bounds when not maximized (BrowserWindow.getNormalBounds), so a restore goes back there. */
  getNormalBounds(): Rect;
  isMaximized(): boolean;
  isDestroyed(): boolean;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface TrackOptions {
  delayMs?: number;
  timers?: Timers;
  /** Saving failed (disk full, permissions): the window keeps working. */
  onError?: (err: unknown) => void;
}

export interface Tracker {
  /** Saves now if a save is pending. */
  flush(): void;
  /** Stops listening (and drops a pending save). */
  dispose(): void;
}

/**
 * Saves the window's state SAVE_DELAY_MS after the last resize/move/maximize/unmaximize, and at
 * once on close (the window is gone, and the app may quit, before a delayed save would run).
 * `save` is a file path or a function.
 */
export function track(
  win: TrackableWindow,
  save: string | ((state: WindowState) => void),
  options: TrackOptions = {},
): Tracker {
  const timers = options.timers ?? realTimers;
  const delay = options.delayMs ?? SAVE_DELAY_MS;
  const write = typeof save === 'string' ? (s: WindowState) => saveWindowState(save, s) : save;
  let pending: unknown = undefined;
  let hasPending = false;

  const saveNow = (): void => {
    if (hasPending) timers.clearTimeout(pending);
    hasPending = false;
    if (win.isDestroyed()) return;
    try {
      write({ ...win.getNormalBounds(), maximized: win.isMaximized() });
    } catch (err) {
      options.onError?.(err);
    }
  };
  const schedule = (): void => {
    if (hasPending) timers.clearTimeout(pending);
    hasPending = true;
    pending = timers.setTimeout(saveNow, delay);
  };

  const debounced: WindowEvent[] = ['resize', 'move', 'maximize', 'unmaximize'];
  for (const e of debounced) win.on(e, schedule);
  win.on('close', saveNow);

  return {
    flush: () => {
      if (hasPending) saveNow();
    },
    dispose: () => {
      if (hasPending) timers.clearTimeout(pending);
      hasPending = false;
      for (const e of debounced) win.removeListener(e, schedule);
      win.removeListener('close', saveNow);
    },
  };
}
