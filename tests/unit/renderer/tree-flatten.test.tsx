import { describe, expect, it } from 'vitest';
import type { TreeEntry } from '../../../shared/api/entities.js';
import {
  applyPage,
  applyPageError,
  flattenTree,
  navigate,
  PAGE_SIZE,
  pagesNeeded,
  reselect,
  resolveFocus,
  type Folders,
} from '../../../renderer/src/tree/flatten.js';
import { badgeText, badgeTooltip, compactCount, countsText, displayPath } from '../../../renderer/src/tree/format.js';

function entry(path: string, type: TreeEntry['type'] = 'file'): TreeEntry {
  return {
    name: path.slice(path.lastIndexOf('/') + 1) || 'src',
    path,
    type,
    size: type === 'file' ? 10 : null,
    mtimeMs: null,
    excluded: false,
    selection: { d1: 'off' },
    badges: { d1: { state: 'none' } },
  };
}

function page(folder: string, total: number, offset: number, names: string[]) {
  return {
    total,
    entries: names.map((n) => entry(folder ? `${folder}/${n}` : n, n.startsWith('dir') ? 'dir' : 'file')),
    self: entry(folder, 'dir'),
  };
}

describe('flattenTree', () => {
  it('shows the root alone, then a loading row, before anything answered', () => {
    const rows = flattenTree({}, { '': true }, 'home').toArray();
    expect(rows.map((r) => r.kind)).toEqual(['entry', 'message']);
    expect(rows[0]).toMatchObject({ kind: 'entry', depth: 0, parent: null, entry: { name: 'home', path: '' } });
    expect(rows[1]).toMatchObject({ tone: 'loading', folder: '' });
  });

  it('lists expanded folders depth first and leaves collapsed ones closed', () => {
    let f: Folders = {};
    f = applyPage(f, '', 0, page('', 3, 0, ['dirA', 'dirB', 'z.txt']), 1);
    f = applyPage(f, 'dirA', 0, page('dirA', 2, 0, ['x', 'y']), 1);
    f = applyPage(f, 'dirB', 0, page('dirB', 1, 0, ['q']), 1);
    const rows = flattenTree(f, { '': true, dirA: true }, 'home').toArray();
    expect(rows.map((r) => r.key)).toEqual(['', 'dirA', 'dirA/x', 'dirA/y', 'dirB', 'z.txt']);
    expect(rows.map((r) => r.depth)).toEqual([0, 1, 2, 2, 1, 1]);
  });

  it('stands placeholders in for children whose page is not loaded', () => {
    let f: Folders = {};
    const total = PAGE_SIZE * 2 + 5;
    f = applyPage(f, '', 0, page('', total, 0, ['a', 'b']), 1);
    const rows = flattenTree(f, { '': true }, 'home');
    expect(rows.length).toBe(total + 1);
    expect(rows.at(1)!.kind).toBe('entry');
    expect(rows.at(3)!.kind).toBe('placeholder');
    expect(rows.at(total + 1)).toBeUndefined();
    expect(rows.indexOf(`\0#${total - 1}`)).toBe(total);
    expect(rows.indexOf('b')).toBe(2);
    expect(rows.at(total)).toMatchObject({ kind: 'placeholder', index: total - 1, setSize: total });
  });

  it('splices an open sub-folder into a large folder without listing every row', () => {
    let f: Folders = {};
    const total = PAGE_SIZE * 4;
    f = applyPage(f, '', 0, page('', total, 0, ['dir0', 'dir1', 'a', 'b']), 1);
    f = applyPage(f, 'dir1', 0, page('dir1', 2, 0, ['x', 'y']), 1);
    const expanded = { '': true as const, dir1: true as const, 'not/shown': true as const };
    const rows = flattenTree(f, expanded, 'home');
    expect(rows.length).toBe(1 + total + 2);
    expect([0, 1, 2, 3, 4, 5].map((i) => rows.at(i)!.key)).toEqual(['', 'dir0', 'dir1', 'dir1/x', 'dir1/y', 'a']);
    expect(rows.at(rows.length - 1)).toMatchObject({ kind: 'placeholder', index: total - 1, depth: 1 });
    expect(rows.indexOf('dir1/y')).toBe(4);
    expect(rows.indexOf('a')).toBe(5);
    expect(rows.indexOf('nope')).toBe(-1);
    expect(navigate(rows, 4, 'ArrowLeft', expanded)).toEqual({ focus: 2, handled: true });
    expect(navigate(rows, rows.length - 1, 'ArrowLeft', expanded)).toEqual({ focus: 0, handled: true });
    expect(rows.at(5)).toBe(rows.at(5));
  });

  it('says an unreadable or empty folder in words', () => {
    let f: Folders = {};
    f = applyPage(f, '', 0, page('', 2, 0, ['dirA', 'dirB']), 1);
    f = applyPage(f, 'dirA', 0, { ...page('dirA', 0, 0, []), error: 'permission denied' }, 1);
    f = applyPage(f, 'dirB', 0, page('dirB', 0, 0, []), 1);
    const rows = flattenTree(f, { '': true, dirA: true, dirB: true }, 'home').toArray();
    expect(rows[2]).toMatchObject({
      kind: 'message',
      tone: 'error',
      text: "Couldn't read this folder: permission denied",
    });
    expect(rows[4]).toMatchObject({ kind: 'message', tone: 'empty' });
    f = applyPageError(f, 'dirB', 0, 'the host is gone', 2);
    expect(flattenTree(f, { '': true, dirB: true }, 'home').at(3)).toMatchObject({ tone: 'error' });
  });
});

describe('pagesNeeded', () => {
  it('asks for the pages of placeholders in the window, once each', () => {
    let f: Folders = {};
    f = applyPage(f, '', 0, page('', PAGE_SIZE * 3, 0, ['a']), 1);
    const rows = flattenTree(f, { '': true }, 'home');
    expect(pagesNeeded(rows, f, 0, 20, 1)).toEqual([]);
    expect(pagesNeeded(rows, f, PAGE_SIZE - 10, PAGE_SIZE + 10, 1)).toEqual([{ folder: '', page: 1 }]);
    expect(pagesNeeded(rows, f, 0, rows.length, 1)).toEqual([
      { folder: '', page: 1 },
      { folder: '', page: 2 },
    ]);
  });

  it('asks again for stale pages after a reload', () => {
    let f: Folders = {};
    f = applyPage(f, '', 0, page('', 2, 0, ['dirA', 'b']), 1);
    const rows = flattenTree(f, { '': true, dirA: true }, 'home');
    expect(pagesNeeded(rows, f, 0, 10, 1)).toEqual([{ folder: 'dirA', page: 0 }]);
    expect(pagesNeeded(rows, f, 0, 10, 2)).toEqual([
      { folder: '', page: 0 },
      { folder: 'dirA', page: 0 },
    ]);
  });

  it('keeps other pages when a page answers with the same total, and marks them stale when it changed', () => {
    let f: Folders = {};
    f = applyPage(f, '', 0, page('', 1000, 0, ['a']), 1);
    f = applyPage(f, '', 1, page('', 1000, 500, ['b']), 1);
    expect(f['']!.pages[0]!.gen).toBe(1);
    const same = applyPage(f, '', 1, page('', 1000, 500, ['b']), 2);
    expect(same['']!.pages[0]!.gen).toBe(1);
    const grown = applyPage(f, '', 1, page('', 1001, 500, ['b']), 2);
    expect(grown['']!.pages[0]!.gen).toBe(-1);
    const shrunk = applyPage(f, '', 0, page('', 3, 0, ['a']), 2);
    expect(shrunk['']!.pages[1]).toBeUndefined();
  });
});

describe('reselect', () => {
  it('recomputes one destination of everything loaded from saved policies, with the host rule', () => {
    let f: Folders = {};
    f = applyPage(f, '', 0, page('', 2, 0, ['dirA', 'dirAB']), 1);
    f = applyPage(f, 'dirA', 0, page('dirA', 1, 0, ['x']), 1);
    const policies = [
      { folder: 'dirA', destinations: { d1: true }, excludes: [] },
      { folder: 'dirA/x', destinations: { d1: false }, excludes: [] },
    ];
    const next = reselect(f, policies, new Set(['d1']));
    expect(next['']!.pages[0]!.entries.map((e) => e.selection.d1)).toEqual(['mixed', 'off']);
    expect(next['dirA']!.pages[0]!.entries[0]!.selection.d1).toBe('off');
    // The root holds a folder that goes and one below it that does not.
    expect(next['']!.self!.selection.d1).toBe('mixed');
    expect(reselect(f, policies, new Set())).toBe(f);
  });
});

describe('navigate', () => {
  let f: Folders = {};
  f = applyPage(f, '', 0, page('', 3, 0, ['dirA', 'dirB', 'z.txt']), 1);
  f = applyPage(f, 'dirA', 0, page('dirA', 2, 0, ['x', 'y']), 1);
  const expanded = { '': true as const, dirA: true as const };
  const rows = flattenTree(f, expanded, 'home');
  // ['', 'dirA', 'dirA/x', 'dirA/y', 'dirB', 'z.txt']

  it('moves up and down, and stops at the ends', () => {
    expect(navigate(rows, 0, 'ArrowDown', expanded)).toEqual({ focus: 1, handled: true });
    expect(navigate(rows, 0, 'ArrowUp', expanded)).toEqual({ focus: 0, handled: true });
    expect(navigate(rows, 5, 'ArrowDown', expanded)).toEqual({ focus: 5, handled: true });
    expect(navigate(rows, 2, 'Home', expanded).focus).toBe(0);
    expect(navigate(rows, 2, 'End', expanded).focus).toBe(5);
    expect(navigate(rows, 0, 'PageDown', expanded, 3).focus).toBe(3);
  });

  it('expands, enters, collapses and climbs with the side arrows', () => {
    expect(navigate(rows, 4, 'ArrowRight', expanded)).toEqual({ expand: 'dirB', handled: true });
    expect(navigate(rows, 1, 'ArrowRight', expanded)).toEqual({ focus: 2, handled: true });
    expect(navigate(rows, 1, 'ArrowLeft', expanded)).toEqual({ collapse: 'dirA', handled: true });
    expect(navigate(rows, 3, 'ArrowLeft', expanded)).toEqual({ focus: 1, handled: true });
    expect(navigate(rows, 5, 'ArrowRight', expanded)).toEqual({ handled: true });
    expect(navigate(rows, 4, 'Enter', expanded)).toEqual({ expand: 'dirB', handled: true });
  });

  it('turns Space into a tick of the first destination, and leaves other keys alone', () => {
    expect(navigate(rows, 5, ' ', expanded)).toEqual({ toggleFirst: true, handled: true });
    expect(navigate(rows, 5, 'a', expanded)).toEqual({ handled: false });
  });

  it('finds the focused row again after rows move', () => {
    expect(resolveFocus(rows, 'dirB', 4)).toBe(4);
    expect(resolveFocus(rows, 'dirB', 1)).toBe(4);
    expect(resolveFocus(rows, 'gone', 99)).toBe(5);
  });
});

describe('badge words', () => {
  it('writes paths, counts and tooltips', () => {
    expect(displayPath('')).toBe('/');
    expect(displayPath('a/b')).toBe('/a/b');
    expect(compactCount(999)).toBe('999');
    expect(compactCount(1200)).toBe('1.2k');
    expect(compactCount(35_400)).toBe('35k');
    expect(countsText({ synced: 120, pending: 3, failed: 1, excluded: 0 })).toBe('120 synced · 3 pending · 1 failed');
    const failed = { state: 'failed' as const, error: 'AccessDenied: check the key', at: Date.UTC(2026, 0, 2) };
    expect(badgeTooltip('nas', failed, false)).toMatch(/^nas: Failed\nAccessDenied: check the key\nat /);
    expect(badgeText({ state: 'failed', counts: { synced: 1, pending: 0, failed: 4, excluded: 0 } }, true)).toBe(
      '4 failed',
    );
    expect(badgeText({ state: 'none' }, false)).toBe('—');
  });
});
