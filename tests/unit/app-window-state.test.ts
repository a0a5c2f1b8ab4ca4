import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  clampToDisplays,
  defaultWindowState,
  loadWindowState,
  MIN_HEIGHT,
  MIN_WIDTH,
  saveWindowState,
  track,
  type Rect,
  type TrackableWindow,
  type WindowEvent,
  type WindowState,
} from '../../electron/app/window-state.js';

const primary: Rect = { x: 0, y: 0, width: 1920, height: 1080 };
const right: Rect = { x: 1920, y: 0, width: 2560, height: 1440 };

describe('window state file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-win-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('missing file → 1200×800 centred', () => {
    expect(loadWindowState(join(dir, 'nope.json'), primary)).toEqual({
      x: 360,
      y: 140,
      width: 1200,
      height: 800,
      maximized: false,
    });
    expect(defaultWindowState({ x: 1920, y: 0, width: 2560, height: 1440 })).toEqual({
      x: 1920 + 680,
      y: 320,
      width: 1200,
      height: 800,
      maximized: false,
    });
  });

  it('corrupt or malformed file → defaults', () => {
    const f = join(dir, 'w.json');
    const cases = ['{not json', '', 'null', '[]', '{"x":1,"y":2,"width":"wide","height":3}', '{"x":1,"y":2}'];
    cases.push(JSON.stringify({ x: 0, y: 0, width: -5, height: 600 }));
    for (const text of cases) {
      writeFileSync(f, text);
      expect(loadWindowState(f, primary), text).toEqual(defaultWindowState(primary));
    }
  });

  it('saves atomically and loads back', () => {
    const f = join(dir, 'sub', 'window-state.json');
    const s: WindowState = { x: 10, y: 20, width: 1000, height: 700, maximized: true };
    saveWindowState(f, s);
    expect(loadWindowState(f)).toEqual(s);
    expect(JSON.parse(readFileSync(f, 'utf8'))).toEqual(s);
    // No temporary file left behind.
    expect(readdirSync(join(dir, 'sub'))).toEqual(['window-state.json']);
    saveWindowState(f, { ...s, maximized: false, x: 11.6 });
    expect(loadWindowState(f)).toEqual({ ...s, maximized: false, x: 12 });
  });

  it('a failed write throws and leaves the saved state as it was', () => {
    const f = join(dir, 'w.json');
    saveWindowState(f, { x: 1, y: 2, width: 900, height: 600, maximized: false });
    // A directory where the temporary file would go makes the write fail.
    mkdirSync(`${f}.${process.pid}.tmp`);
    expect(() => saveWindowState(f, { x: 5, y: 5, width: 900, height: 600, maximized: false })).toThrow();
    expect(loadWindowState(f)).toMatchObject({ x: 1, y: 2 });
  });
});

describe('clampToDisplays', () => {
  it('keeps a window that is on a display', () => {
    const s: WindowState = { x: 2000, y: 100, width: 1200, height: 800, maximized: false };
    expect(clampToDisplays(s, [primary, right])).toEqual(s);
  });

  it('a window on a removed monitor comes back centred on the primary', () => {
    const s: WindowState = { x: 2000, y: 100, width: 1200, height: 800, maximized: true };
    expect(clampToDisplays(s, [primary])).toEqual({ x: 360, y: 140, width: 1200, height: 800, maximized: true });
  });

  it('needs 100 px visible each way', () => {
    const barely: WindowState = { x: 1820, y: 100, width: 1200, height: 800, maximized: false };
    expect(clampToDisplays(barely, [primary])).toEqual(barely);
    const sliver = { ...barely, x: 1821 };
    expect(clampToDisplays(sliver, [primary])).toMatchObject({ x: 360, y: 140 });
    const low = { ...barely, x: 100, y: 981 };
    expect(clampToDisplays(low, [primary])).toMatchObject({ x: 360, y: 140 });
  });

  it('keeps the title bar on the display', () => {
    const above: WindowState = { x: 100, y: -300, width: 1200, height: 800, maximized: false };
    expect(clampToDisplays(above, [primary])).toMatchObject({ x: 100, y: 0 });
  });

  it('enforces the minimum size and fits to the display', () => {
    const tiny: WindowState = { x: 50, y: 50, width: 200, height: 100, maximized: false };
    expect(clampToDisplays(tiny, [primary])).toEqual({
      x: 50,
      y: 50,
      width: MIN_WIDTH,
      height: MIN_HEIGHT,
      maximized: false,
    });
    const huge: WindowState = { x: 0, y: 0, width: 5000, height: 3000, maximized: false };
    expect(clampToDisplays(huge, [primary])).toEqual({ x: 0, y: 0, width: 1920, height: 1080, maximized: false });
  });

  it('a window mostly off-screen that shrinks off its display is centred on it', () => {
    const s: WindowState = { x: -2300, y: 0, width: 2500, height: 900, maximized: false };
    expect(clampToDisplays(s, [primary])).toEqual({ x: 0, y: 90, width: 1920, height: 900, maximized: false });
  });

  it('uses an explicit primary, and copes with no displays', () => {
    const s: WindowState = { x: -5000, y: 0, width: 1000, height: 700, maximized: false };
    expect(clampToDisplays(s, [primary, right], right)).toMatchObject({ x: 1920 + 780, y: 370 });
    expect(clampToDisplays({ ...s, width: 10 }, [])).toEqual({ ...s, width: MIN_WIDTH });
  });
});

class FakeWindow extends EventEmitter implements TrackableWindow {
  bounds: Rect = { x: 10, y: 20, width: 1000, height: 700 };
  maximized = false;
  destroyed = false;
  override on(event: WindowEvent, listener: () => void): this {
    return super.on(event, listener);
  }
  override removeListener(event: WindowEvent, listener: () => void): this {
    return super.removeListener(event, listener);
  }
  getNormalBounds(): Rect {
    return { ...this.bounds };
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

describe('track', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('saves once, 500 ms after the last move or resize', () => {
    const win = new FakeWindow();
    const saves: WindowState[] = [];
    track(win, (s) => saves.push(s));
    win.emit('move');
    vi.advanceTimersByTime(300);
    win.bounds.x = 50;
    win.emit('resize');
    vi.advanceTimersByTime(499);
    expect(saves).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(saves).toEqual([{ x: 50, y: 20, width: 1000, height: 700, maximized: false }]);
  });

  it('maximize and unmaximize save the normal bounds with the flag', () => {
    const win = new FakeWindow();
    const saves: WindowState[] = [];
    track(win, (s) => saves.push(s));
    win.maximized = true;
    win.emit('maximize');
    vi.advanceTimersByTime(500);
    win.maximized = false;
    win.emit('unmaximize');
    vi.advanceTimersByTime(500);
    expect(saves.map((s) => s.maximized)).toEqual([true, false]);
    expect(saves[0]).toMatchObject({ x: 10, width: 1000 });
  });

  it('close saves at once and drops the pending save', () => {
    const win = new FakeWindow();
    const saves: WindowState[] = [];
    track(win, (s) => saves.push(s));
    win.emit('resize');
    win.emit('close');
    expect(saves).toHaveLength(1);
    win.destroyed = true;
    vi.advanceTimersByTime(1000);
    expect(saves).toHaveLength(1);
  });

  it('injected timers and delay; flush; dispose', () => {
    const win = new FakeWindow();
    const saves: WindowState[] = [];
    const queued: { fn: () => void; ms: number }[] = [];
    const t = track(win, (s) => saves.push(s), {
      delayMs: 50,
      timers: { setTimeout: (fn, ms) => queued.push({ fn, ms }), clearTimeout: () => undefined },
    });
    win.emit('move');
    expect(queued[0]!.ms).toBe(50);
    t.flush();
    expect(saves).toHaveLength(1);
    t.flush(); // nothing pending
    expect(saves).toHaveLength(1);
    t.dispose();
    win.emit('move');
    win.emit('close');
    expect(queued).toHaveLength(1);
    expect(saves).toHaveLength(1);
    expect(win.listenerCount('move')).toBe(0);
  });

  it('writes the file when given a path, and reports save errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-track-'));
    try {
      const win = new FakeWindow();
      const f = join(dir, 'window-state.json');
      track(win, f);
      win.emit('move');
      vi.advanceTimersByTime(500);
      expect(loadWindowState(f)).toEqual({ ...win.bounds, maximized: false });

      const errors: unknown[] = [];
      const w2 = new FakeWindow();
      track(
        w2,
        () => {
          throw new Error('disk full');
        },
        { onError: (e) => errors.push(e) },
      );
      w2.emit('close');
      expect(errors).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
