/** The restore wizard's ticks (renderer) and the host's filter agree on what a selection takes in. */
import { describe, expect, it } from 'vitest';
import { compileRestoreFilter } from '../../electron/engine/restore/restore-filter.js';
import { filterInput } from '../../renderer/src/restore/request.js';
import { nothingTicked, setTick, tickState, toPaths } from '../../renderer/src/restore/selection.js';
import { NO_FILTER } from '../../renderer/src/restore/wizard-store.js';

const FILES = ['a/x.txt', 'a/b/y.jpg', 'a/b/z.png', 'c/w.txt', 'top.md'];

function picked(decisions: Record<string, boolean>): string[] {
  const { paths, exclude } = toPaths(decisions);
  const wanted = compileRestoreFilter({ paths, exclude });
  return FILES.filter((path) => wanted({ path, type: 'file', mtime: 0 }));
}

describe('restore selection', () => {
  it('starts with everything ticked, and unticking the root leaves nothing', () => {
    let d = { '': true } as Record<string, boolean>;
    expect(picked(d)).toEqual(FILES);
    d = { ...setTick(d, '', false) };
    expect(nothingTicked(d)).toBe(true);
    expect(tickState(d, 'a')).toBe('off');
  });

  it('ticks a folder and a file, shows ancestors mixed, and sends exactly those', () => {
    let d = setTick({}, 'a/b', true);
    d = setTick(d, 'top.md', true);
    expect(tickState(d, '')).toBe('mixed');
    expect(tickState(d, 'a')).toBe('mixed');
    expect(tickState(d, 'a/b')).toBe('on');
    expect(tickState(d, 'a/b/y.jpg')).toBe('on');
    expect(toPaths(d)).toEqual({ paths: ['a/b', 'top.md'], exclude: [] });
    expect(picked(d)).toEqual(['a/b/y.jpg', 'a/b/z.png', 'top.md']);
  });

  it('unticks below a ticked folder (an exclude), and ticking the folder again clears it', () => {
    let d = setTick({ '': true }, 'a/b/y.jpg', false);
    expect(tickState(d, 'a/b')).toBe('mixed');
    expect(toPaths(d)).toEqual({ paths: [''], exclude: ['a/b/y.jpg'] });
    expect(picked(d)).toEqual(['a/x.txt', 'a/b/z.png', 'c/w.txt', 'top.md']);
    d = setTick(d, 'a', true);
    expect(d).toEqual({ '': true });
  });

  it('turns the filter form into the API filter (extensions with or without dots, whole days)', () => {
    const f = filterInput({ ...NO_FILTER, extensions: 'jpg, .PNG', pathPrefix: '/a/b/', since: '2026-01-31' });
    expect(f.extensions).toEqual(['.jpg', '.PNG']);
    expect(f.pathPrefix).toBe('a/b');
    expect(f.since).toBe(new Date('2026-01-31T00:00:00').getTime());
    expect(filterInput(NO_FILTER)).toEqual({});
  });
});
