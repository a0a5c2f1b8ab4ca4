// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { createElement } from 'react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, createClient, type Transport } from '../../../shared/api/client.js';
import type { EventName, InputOf, MethodName } from '../../../shared/api/contract.js';
import type { DestinationInfo, PolicyInfo, SourceInfo, TreeEntry, TreePage } from '../../../shared/api/entities.js';
import { setClient } from '../../../renderer/src/api/client.js';
import { SourceTree } from '../../../renderer/src/tree/SourceTree.js';

// jsdom has no layout: give every element a viewport so the virtualizer renders a window of rows.
const VIEW_H = 320;
beforeAll(() => {
  for (const prop of ['clientHeight', 'clientWidth'] as const) {
    Object.defineProperty(HTMLElement.prototype, prop, {
      configurable: true,
      get: () => (prop === 'clientHeight' ? VIEW_H : 1000),
    });
  }
  Element.prototype.scrollTo = function (this: Element, opts?: ScrollToOptions | number) {
    if (typeof opts === 'object' && opts.top !== undefined) this.scrollTop = opts.top;
    this.dispatchEvent(new Event('scroll'));
  } as Element['scrollTo'];
});
afterAll(() => {
  Reflect.deleteProperty(HTMLElement.prototype, 'clientHeight');
  Reflect.deleteProperty(HTMLElement.prototype, 'clientWidth');
});

const source: SourceInfo = { id: 'src-1', name: 'home', kind: 'local', path: '/home/ada', createdAt: 0 };
const dest = (id: string, name: string): DestinationInfo => ({
  id,
  name,
  provider: 'local',
  label: `/mnt/${name}`,
  settings: { kind: 'local', path: `/mnt/${name}` },
  secretSaved: false,
  createdAt: 0,
});
const destinations = [dest('d-1', 'nas'), dest('d-2', 'b2')];

const BIG = 100_000;

function mk(path: string, type: TreeEntry['type'], extra: Partial<TreeEntry> = {}): TreeEntry {
  return {
    name: path.slice(path.lastIndexOf('/') + 1) || 'home',
    path,
    type,
    size: type === 'file' ? 2048 : null,
    mtimeMs: 0,
    excluded: false,
    selection: { 'd-1': 'on', 'd-2': 'off' },
    badges: { 'd-1': { state: 'synced' }, 'd-2': { state: 'none' } },
    ...extra,
  };
}

/** A small fake host: a few folders, one of 100,000 files, one unreadable. */
class FakeHost {
  calls: { method: MethodName; input: Record<string, unknown> }[] = [];
  listeners = new Set<(event: EventName, data: unknown) => void>();
  policies: PolicyInfo[] = [
    { source: 'home', folder: '', destinations: { 'd-1': true }, excludes: ['*.tmp'], maxSize: null },
    { source: 'home', folder: 'docs', destinations: {}, excludes: ['drafts/'], maxSize: 5_000_000 },
    // Why docs is mixed for nas: a.md below it does not go there.
    { source: 'home', folder: 'docs/a.md', destinations: { 'd-1': false }, excludes: [], maxSize: null },
  ];
  failSelect = false;
  /** Answers to `cost.whatIf`, per call; a test may hold one back to answer later. */
  whatIf: (input: InputOf<'cost.whatIf'>) => Promise<unknown> | unknown = (input) => ({
    destinations: [...new Set(input.changes.map((c) => c.destination))].map((destination) => ({
      destination,
      priceName: 'Backblaze B2',
      files: 3,
      bytes: 2_300_000_000,
      before: 0.6,
      after: 0.61,
    })),
  });

  children(folder: string): { total: number; at: (i: number) => TreeEntry; error?: string } {
    const list = (entries: TreeEntry[]) => ({ total: entries.length, at: (i: number) => entries[i]! });
    switch (folder) {
      case '':
        return list([
          mk('big', 'dir'),
          mk('docs', 'dir', {
            selection: { 'd-1': 'mixed', 'd-2': 'off' },
            badges: {
              'd-1': { state: 'failed', counts: { synced: 120, pending: 3, failed: 1, excluded: 0 } },
              'd-2': { state: 'none' },
            },
          }),
          mk('locked', 'dir'),
          mk('notes.txt', 'file', {
            badges: {
              'd-1': { state: 'failed', error: 'AccessDenied: the key cannot write', at: Date.UTC(2026, 0, 2, 3, 4) },
              'd-2': { state: 'none' },
            },
          }),
          mk('skip.tmp', 'file', {
            excluded: true,
            badges: { 'd-1': { state: 'excluded' }, 'd-2': { state: 'none' } },
          }),
        ]);
      case 'docs':
        return list([mk('docs/a.md', 'file', { selection: { 'd-1': 'off', 'd-2': 'off' } }), mk('docs/b.md', 'file')]);
      case 'big':
        return { total: BIG, at: (i) => mk(`big/f${String(i).padStart(6, '0')}`, 'file') };
      case 'locked':
        return { total: 0, at: () => undefined as never, error: 'permission denied' };
      default:
        return list([]);
    }
  }

  transport(): Transport {
    return {
      call: async (method, input) => {
        const i = input as Record<string, unknown>;
        this.calls.push({ method, input: i });
        await Promise.resolve();
        switch (method) {
          case 'tree.list': {
            const { folder, offset, limit } = i as InputOf<'tree.list'> & { offset: number; limit: number };
            const c = this.children(folder);
            const entries: TreeEntry[] = [];
            for (let k = offset; k < Math.min(c.total, offset + limit); k++) entries.push(c.at(k));
            const page: TreePage = {
              source: 'home',
              folder,
              total: c.total,
              offset,
              entries,
              self: mk(folder, 'dir'),
            };
            if (c.error) page.error = c.error;
            return page;
          }
          case 'policies.select':
            if (this.failSelect) {
              throw new ApiError({ code: 'not-found', message: 'no destination named nas', hint: 'add it first' });
            }
            return this.policies;
          case 'policies.list':
            return this.policies;
          case 'hooks.list':
            return [];
          case 'cost.whatIf':
            return this.whatIf(i as InputOf<'cost.whatIf'>);
          case 'policies.setRules': {
            const { folder, excludes, maxSize } = i as InputOf<'policies.setRules'>;
            this.policies = [
              ...this.policies.filter((p) => p.folder !== folder),
              { source: 'home', folder, destinations: {}, excludes, maxSize },
            ];
            return this.policies;
          }
          default:
            throw new Error(`unexpected call ${method}`);
        }
      },
      subscribe: (listener) => {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
      },
    };
  }

  emit(event: EventName, data: unknown): void {
    for (const l of this.listeners) l(event, data);
  }

  count(method: MethodName, match: Record<string, unknown> = {}): number {
    return this.calls.filter((c) => c.method === method && Object.entries(match).every(([k, v]) => c.input[k] === v))
      .length;
  }
}

let host: FakeHost;
beforeEach(() => {
  host = new FakeHost();
  setClient(createClient(host.transport()));
});
afterEach(cleanup);

async function renderTree() {
  // createElement, not JSX: this folder's tsconfig does not set the automatic JSX runtime for vitest's esbuild.
  render(createElement(SourceTree, { source, destinations }));
  await screen.findByRole('checkbox', { name: 'Back up /docs to nas' });
  return screen.getByRole('treegrid', { name: 'Folders of home' });
}

const rowOf = (path: string): HTMLElement => document.querySelector<HTMLElement>(`[role="row"][data-path="${path}"]`)!;

describe('SourceTree', () => {
  it('renders the root expanded with its children, a column per destination, and tri-state checkboxes', async () => {
    const grid = await renderTree();
    expect(
      within(grid)
        .getAllByRole('columnheader')
        .map((h) => h.textContent),
    ).toEqual(['Name', 'nas', 'b2']);
    const root = rowOf('');
    expect(root).toHaveProperty('ariaExpanded', 'true');
    expect(root.getAttribute('aria-level')).toBe('1');
    expect(rowOf('docs').getAttribute('aria-level')).toBe('2');
    expect(rowOf('docs').getAttribute('aria-expanded')).toBe('false');
    expect(rowOf('notes.txt').hasAttribute('aria-expanded')).toBe(false);

    const mixed = screen.getByRole('checkbox', { name: 'Back up /docs to nas' }) as HTMLInputElement;
    expect(mixed.getAttribute('aria-checked')).toBe('mixed');
    expect(mixed.indeterminate).toBe(true);
    const on = screen.getByRole('checkbox', { name: 'Back up / to nas' }) as HTMLInputElement;
    expect(on.checked).toBe(true);
    expect(on.hasAttribute('aria-checked')).toBe(false);
    expect((screen.getByRole('checkbox', { name: 'Back up /docs to b2' }) as HTMLInputElement).checked).toBe(false);

    expect(screen.getByText('/home/ada')).toBeTruthy();
    expect(within(screen.getByRole('list', { name: 'Badge legend' })).getAllByRole('listitem')).toHaveLength(5);
  });

  it('shows badges with their state, words and tooltips, and dims excluded entries', async () => {
    await renderTree();
    const failed = within(rowOf('notes.txt')).getByRole('img', { name: 'nas: Failed' });
    expect(failed.getAttribute('data-badge-state')).toBe('failed');
    expect(failed.title).toContain('AccessDenied: the key cannot write');
    expect(failed.title).toMatch(/\nat .*2026/);
    expect(within(rowOf('notes.txt')).getByRole('img', { name: 'b2: Not backed up' }).dataset.badgeState).toBe('none');

    const folder = within(rowOf('docs')).getByRole('img', { name: 'nas: Failed' });
    expect(folder.title).toContain('120 synced · 3 pending · 1 failed');
    expect(folder.textContent).toBe('1 failed');
    expect(within(rowOf('big')).getByRole('img', { name: 'nas: Synced' }).dataset.badgeState).toBe('synced');

    const skipped = rowOf('skip.tmp');
    expect(skipped.hasAttribute('data-excluded')).toBe(true);
    expect(within(skipped).getByText('excluded')).toBeTruthy();
    expect(within(skipped).getByRole('img', { name: 'nas: Excluded' }).dataset.badgeState).toBe('excluded');
  });

  const saveBar = () => screen.queryByRole('region', { name: 'Unsaved changes' });
  const box = (name: string) => screen.getByRole('checkbox', { name }) as HTMLInputElement;

  it('stages a tick with its cost, then saves it by destination NAME and reloads the rows', async () => {
    await renderTree();
    fireEvent.click(box('Back up /docs to nas'));
    // Staged: shown at once, marked unsaved, nothing sent yet.
    expect(box('Back up /docs to nas').checked).toBe(true);
    expect(rowOf('docs').hasAttribute('data-unsaved')).toBe(true);
    expect(box('Back up /docs to nas').title).toMatch(/not saved yet/);
    expect(rowOf('notes.txt').hasAttribute('data-unsaved')).toBe(false);
    expect(host.count('policies.select')).toBe(0);
    const bar = saveBar()!;
    expect(bar.textContent).toContain('1 unsaved change');
    await waitFor(() => expect(bar.textContent).toContain('+2.3 GB, +$0.01/month on nas'));
    expect(host.calls.find((c) => c.method === 'cost.whatIf')!.input).toEqual({
      source: 'home',
      changes: [{ path: 'docs', destination: 'nas', include: true }],
    });

    const before = host.count('tree.list');
    fireEvent.click(within(bar).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(host.count('policies.select')).toBe(1));
    expect(host.calls.find((c) => c.method === 'policies.select')!.input).toEqual({
      source: 'home',
      path: 'docs',
      destination: 'nas',
      include: true,
    });
    await waitFor(() => expect(saveBar()).toBeNull());
    await waitFor(() => expect(host.count('tree.list')).toBeGreaterThan(before));
    expect(host.count('tree.list', { folder: '', offset: 0 })).toBeGreaterThanOrEqual(2);
  });

  it('drops a change ticked back, and discards what is staged', async () => {
    await renderTree();
    fireEvent.click(box('Back up /notes.txt to nas'));
    expect(box('Back up /notes.txt to nas').checked).toBe(false);
    expect(saveBar()).not.toBeNull();
    fireEvent.click(box('Back up /notes.txt to nas'));
    expect(box('Back up /notes.txt to nas').checked).toBe(true);
    expect(saveBar()).toBeNull();
    expect(rowOf('notes.txt').hasAttribute('data-unsaved')).toBe(false);

    fireEvent.click(box('Back up /docs to b2'));
    // The root holds docs for b2 now, and other folders that do not go there.
    await waitFor(() => expect(box('Back up / to b2').getAttribute('aria-checked')).toBe('mixed'));
    fireEvent.click(within(saveBar()!).getByRole('button', { name: 'Discard' }));
    expect(saveBar()).toBeNull();
    expect(box('Back up /docs to b2').checked).toBe(false);
    expect(host.count('policies.select')).toBe(0);
  });

  it('asks the cost once per burst of ticks and ignores an answer overtaken by newer ticks', async () => {
    const held: ((v: unknown) => void)[] = [];
    host.whatIf = () => new Promise((resolve) => held.push(resolve));
    await renderTree();
    fireEvent.click(box('Back up /docs to b2'));
    fireEvent.click(box('Back up /big to b2'));
    await waitFor(() => expect(host.count('cost.whatIf')).toBe(1));
    expect((host.calls.find((c) => c.method === 'cost.whatIf')!.input.changes as unknown[]).length).toBe(2);
    expect(screen.getByRole('status', { name: 'Estimating the cost' })).toBeTruthy();
    fireEvent.click(box('Back up /notes.txt to b2'));
    await waitFor(() => expect(host.count('cost.whatIf')).toBe(2));
    const row = (bytes: number) => ({ destination: 'b2', priceName: 'B2', files: 1, bytes, before: 0, after: 0 });
    act(() => held[1]!({ destinations: [row(3_000_000)] }));
    await waitFor(() => expect(saveBar()!.textContent).toContain('+3.0 MB (free) on b2'));
    act(() => held[0]!({ destinations: [row(9_000_000)] }));
    await new Promise((r) => setTimeout(r, 20));
    expect(saveBar()!.textContent).toContain('+3.0 MB (free) on b2');
    expect(screen.queryByRole('status', { name: 'Estimating the cost' })).toBeNull();
  });

  it('keeps a change staged and says why in an alert when the host refuses to save it', async () => {
    host.failSelect = true;
    await renderTree();
    fireEvent.click(box('Back up /notes.txt to nas'));
    fireEvent.click(within(saveBar()!).getByRole('button', { name: 'Save changes' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('no destination named nas');
    expect(alert.textContent).toContain('add it first');
    expect(host.calls.find((c) => c.method === 'policies.select')!.input).toMatchObject({
      path: 'notes.txt',
      include: false,
    });
    // Still staged: the box stays as ticked, the bar stays, even after the reload.
    await waitFor(() => expect(within(saveBar()!).getByRole('button', { name: 'Save changes' })).toBeTruthy());
    await new Promise((r) => setTimeout(r, 50));
    expect(box('Back up /notes.txt to nas').checked).toBe(false);
    expect(saveBar()!.textContent).toContain('1 unsaved change');
  });

  it('moves with the arrows, expands with ArrowRight and ticks the first destination with Space', async () => {
    await renderTree();
    const root = rowOf('');
    expect(root.getAttribute('aria-selected')).toBe('true');
    expect(root.tabIndex).toBe(0);
    act(() => root.focus());
    fireEvent.keyDown(root, { key: 'ArrowDown' });
    await waitFor(() => expect(document.activeElement).toBe(rowOf('big')));
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    await waitFor(() => expect(document.activeElement).toBe(rowOf('docs')));
    expect(rowOf('docs').getAttribute('aria-selected')).toBe('true');
    expect(rowOf('big').getAttribute('aria-selected')).toBe('false');
    // Tab reaches the focused row's checkboxes only.
    expect(
      within(rowOf('docs'))
        .getAllByRole('checkbox')
        .map((c) => c.tabIndex),
    ).toEqual([0, 0]);
    expect(
      within(rowOf('big'))
        .getAllByRole('checkbox')
        .map((c) => c.tabIndex),
    ).toEqual([-1, -1]);

    fireEvent.keyDown(rowOf('docs'), { key: 'ArrowRight' });
    await screen.findByRole('checkbox', { name: 'Back up /docs/a.md to nas' });
    expect(rowOf('docs').getAttribute('aria-expanded')).toBe('true');
    expect(host.count('tree.list', { folder: 'docs', offset: 0 })).toBe(1);
    expect(rowOf('docs/a.md').getAttribute('aria-level')).toBe('3');

    fireEvent.keyDown(rowOf('docs'), { key: 'ArrowRight' });
    await waitFor(() => expect(document.activeElement).toBe(rowOf('docs/a.md')));
    fireEvent.keyDown(rowOf('docs/a.md'), { key: ' ' });
    await waitFor(() => expect(box('Back up /docs/a.md to nas').checked).toBe(true));
    fireEvent.click(within(saveBar()!).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(host.count('policies.select')).toBe(1));
    expect(host.calls.find((c) => c.method === 'policies.select')!.input).toEqual({
      source: 'home',
      path: 'docs/a.md',
      destination: 'nas',
      include: true,
    });

    fireEvent.keyDown(rowOf('docs/a.md'), { key: 'ArrowLeft' });
    await waitFor(() => expect(document.activeElement).toBe(rowOf('docs')));
    fireEvent.keyDown(rowOf('docs'), { key: 'ArrowLeft' });
    await waitFor(() => expect(rowOf('docs').getAttribute('aria-expanded')).toBe('false'));
    expect(rowOf('docs/a.md')).toBeNull();
  });

  it('leaves Space on a checkbox to the checkbox', async () => {
    await renderTree();
    const docsB2 = box('Back up /docs to b2');
    fireEvent.keyDown(docsB2, { key: ' ' });
    expect(saveBar()).toBeNull();
    fireEvent.click(docsB2);
    await waitFor(() => expect(box('Back up /docs to b2').checked).toBe(true));
    fireEvent.click(within(saveBar()!).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(host.count('policies.select', { destination: 'b2', path: 'docs' })).toBe(1));
  });

  it('renders only a window of a 100,000-entry folder and fetches the next page on scroll', async () => {
    const grid = await renderTree();
    fireEvent.click(rowOf('big').querySelector('.tree-chevron')!);
    await screen.findByRole('checkbox', { name: 'Back up /big/f000000 to nas' });
    expect(host.count('tree.list', { folder: 'big', offset: 0, limit: 500 })).toBe(1);
    expect(host.count('tree.list', { folder: 'big', offset: 500 })).toBe(0);
    expect(grid.getAttribute('aria-rowcount')).toBe(String(1 + 1 + 5 + BIG));
    expect(within(grid).getAllByRole('row').length).toBeLessThan(40);

    // Row 2 is big/f000000; scroll so rows ~400 are in view: the page from 500 is fetched ahead.
    act(() => {
      grid.scrollTop = 400 * 32;
      grid.dispatchEvent(new Event('scroll'));
    });
    await waitFor(() => expect(host.count('tree.list', { folder: 'big', offset: 500 })).toBe(1));
    await screen.findByRole('checkbox', { name: 'Back up /big/f000398 to nas' });
    expect(within(grid).getAllByRole('row').length).toBeLessThan(40);
    expect(host.count('tree.list', { folder: 'big', offset: 1000 })).toBe(0);

    // Far down, placeholders stand in until their page arrives.
    act(() => {
      grid.scrollTop = 90_000 * 32;
      grid.dispatchEvent(new Event('scroll'));
    });
    await screen.findByRole('checkbox', { name: 'Back up /big/f089998 to nas' });
    expect(host.count('tree.list', { folder: 'big', offset: 89_500 })).toBe(1);
    expect(within(grid).getAllByRole('row').length).toBeLessThan(40);
    // Only the pages around the window were fetched, not everything scrolled past.
    expect(host.count('tree.list', { folder: 'big' })).toBeLessThan(6);
  });

  it('keeps the focused row mounted when scrolled away, so the keyboard still works', async () => {
    const grid = await renderTree();
    act(() => rowOf('big').focus());
    fireEvent.keyDown(rowOf('big'), { key: 'ArrowRight' });
    await screen.findByRole('checkbox', { name: 'Back up /big/f000000 to nas' });
    act(() => {
      grid.scrollTop = 50_000 * 32;
      grid.dispatchEvent(new Event('scroll'));
    });
    await screen.findByRole('checkbox', { name: 'Back up /big/f049998 to nas' });
    expect(document.activeElement).toBe(rowOf('big'));
    fireEvent.keyDown(rowOf('big'), { key: 'ArrowDown' });
    await waitFor(() => expect(document.activeElement).toBe(rowOf('big/f000000')));
    expect(grid.scrollTop).toBeLessThan(10 * 32);
  });

  it('says an unreadable folder in plain words', async () => {
    await renderTree();
    fireEvent.click(rowOf('locked').querySelector('.tree-chevron')!);
    expect(await screen.findByText("Couldn't read this folder: permission denied")).toBeTruthy();
  });

  it('re-fetches loaded pages after status and run events, coalesced', async () => {
    await renderTree();
    const before = host.count('tree.list', { folder: '' });
    act(() => {
      host.emit('changed', { topics: ['status'] });
      host.emit('changed', { topics: ['status'] });
      host.emit('changed', { topics: ['settings'] });
    });
    await waitFor(() => expect(host.count('tree.list', { folder: '' })).toBe(before + 1), { timeout: 2000 });
    act(() => host.emit('run.finished', { runId: 1, status: 'ok', error: null }));
    await waitFor(() => expect(host.count('tree.list', { folder: '' })).toBe(before + 2), { timeout: 2000 });
    await new Promise((r) => setTimeout(r, 400));
    expect(host.count('tree.list', { folder: '' })).toBe(before + 2);
  });

  it('edits the focused folder’s rules, shows inherited ones, and reloads the tree on save', async () => {
    await renderTree();
    expect(await screen.findByRole('heading', { name: 'Rules for /' })).toBeTruthy();
    const patterns = (await screen.findByLabelText(
      'Exclusion patterns (one per line, gitignore syntax)',
    )) as HTMLTextAreaElement;
    await waitFor(() => expect(patterns.value).toBe('*.tmp'));

    fireEvent.focus(rowOf('docs'));
    expect(await screen.findByRole('heading', { name: 'Rules for /docs' })).toBeTruthy();
    const docsPatterns = screen.getByLabelText(
      'Exclusion patterns (one per line, gitignore syntax)',
    ) as HTMLTextAreaElement;
    const size = screen.getByLabelText('Size limit (MB)') as HTMLInputElement;
    expect(docsPatterns.value).toBe('drafts/');
    expect(size.value).toBe('5');
    expect(screen.getByText('From /:')).toBeTruthy();
    expect(screen.getByText('*.tmp')).toBeTruthy();

    fireEvent.change(docsPatterns, { target: { value: 'drafts/\n\n*.bak  ' } });
    fireEvent.change(size, { target: { value: '' } });
    const before = host.count('tree.list');
    fireEvent.click(
      within(screen.getByRole('form', { name: 'Exclusions and size limit' })).getByRole('button', { name: 'Save' }),
    );
    await waitFor(() => expect(host.count('policies.setRules')).toBe(1));
    expect(host.calls.find((c) => c.method === 'policies.setRules')!.input).toEqual({
      source: 'home',
      folder: 'docs',
      excludes: ['drafts/', '*.bak'],
      maxSize: null,
    });
    expect(await screen.findByText('Saved')).toBeTruthy();
    await waitFor(() => expect(host.count('tree.list')).toBeGreaterThan(before));
  });
});
