import { describe, expect, it } from 'vitest';
import {
  decisions,
  shownSelection,
  stage,
  stagedPolicies,
  stagedView,
  type StagedChange,
} from '../../../renderer/src/tree/staging.js';
import { effectText, signedBytes, signedMonthly } from '../../../renderer/src/tree/whatif-text.js';

const tick = (path: string, include: boolean, destId = 'd1'): StagedChange => ({
  path,
  destId,
  destination: destId === 'd1' ? 'b2' : 'usb',
  include,
});

// Saved: everything to d1, except photos/raw.
const saved = decisions([
  { folder: '', destinations: { d1: true } },
  { folder: 'photos/raw', destinations: { d1: false } },
]);

describe('staged ticks', () => {
  it('shows a staged untick on the folder, below it, and as mixed above it', () => {
    const changes = stage(saved, [], tick('docs', false));
    expect(changes).toEqual([tick('docs', false)]);
    const view = stagedView(saved, changes);
    expect(shownSelection(view, 'docs', 'd1', 'on')).toBe('off');
    expect(shownSelection(view, 'docs/plan.txt', 'd1', 'on')).toBe('off');
    expect(shownSelection(view, '', 'd1', 'mixed')).toBe('mixed');
    expect(shownSelection(view, 'readme.txt', 'd1', 'on')).toBe('on');
    // Other destinations and rows without the destination show what was loaded.
    expect(shownSelection(view, 'docs', 'd2', 'off')).toBe('off');
    expect(shownSelection(view, 'docs', 'd1', undefined)).toBeUndefined();
    expect(stagedView(saved, [])).toBeNull();
  });

  it('drops a change when the ticks come back to what is saved', () => {
    const one = stage(saved, [], tick('docs', false));
    expect(stage(saved, one, tick('docs', true))).toEqual([]);
    // Ticking the root again covers the raw folder's own decision: a real change.
    const root = stage(saved, [], tick('', true));
    expect(root).toEqual([tick('', true)]);
    expect(stagedPolicies(saved, root).find((p) => p.folder === 'photos/raw')?.destinations.d1).toBeUndefined();
    expect(stage(saved, [], tick('photos/raw', false))).toEqual([]);
  });

  it('replaces earlier ticks below a folder ticked later, and keeps other destinations apart', () => {
    let changes = stage(saved, [], tick('docs/a', false));
    changes = stage(saved, changes, tick('docs', true, 'd2'));
    changes = stage(saved, changes, tick('docs/b', false));
    changes = stage(saved, changes, tick('docs', false));
    expect(changes).toEqual([tick('docs', true, 'd2'), tick('docs', false)]);
    // Unticking the d2 change leaves d1's alone.
    expect(stage(saved, changes, tick('docs', false, 'd2'))).toEqual([tick('docs', false)]);
  });

  it('keeps the order of changes that build on each other', () => {
    let changes = stage(saved, [], tick('photos', false));
    changes = stage(saved, changes, tick('photos/best', true));
    expect(changes).toEqual([tick('photos', false), tick('photos/best', true)]);
    const view = stagedView(saved, changes);
    expect(shownSelection(view, 'photos', 'd1', 'mixed')).toBe('mixed');
    expect(shownSelection(view, 'photos/best/x.jpg', 'd1', 'on')).toBe('on');
    expect(shownSelection(view, 'photos/raw', 'd1', 'off')).toBe('off');
  });
});

describe('what-if words', () => {
  const row = {
    destination: 'b2',
    priceName: 'Backblaze B2',
    files: 3,
    bytes: 2_300_000_000,
    before: 0.6,
    after: 0.61,
  };

  it('says bytes and money with their signs', () => {
    expect(signedBytes(2_300_000_000)).toBe('+2.3 GB');
    expect(signedBytes(-120_000_000)).toBe('−120 MB');
    expect(signedMonthly(0.0123)).toBe('+$0.01/month');
    expect(signedMonthly(-0.004)).toBe('−$0.004/month');
    expect(signedMonthly(0.00002)).toBe('+<$0.001/month');
  });

  it('says free, unchanged and empty changes plainly', () => {
    expect(effectText(row)).toBe('+2.3 GB, +$0.01/month');
    expect(effectText({ ...row, bytes: -120_000_000, files: -2, before: 0, after: 0 })).toBe('−120 MB (free)');
    expect(effectText({ ...row, after: 0.6 })).toBe('+2.3 GB, cost unchanged');
    expect(effectText({ ...row, files: 0, bytes: 0 })).toBe('no files change');
    expect(effectText({ ...row, files: 2, bytes: 0, before: 0, after: 0 })).toBe('+2 files (free)');
  });
});
