// @vitest-environment jsdom
/** @jsxRuntime automatic */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../../renderer/src/App.js';
import { PriceOverrides } from '../../../renderer/src/cost/PriceOverrides.js';
import { useActiveRun } from '../../../renderer/src/store/activeRun.js';
import { useRoute } from '../../../renderer/src/store/route.js';
import { useSettings } from '../../../renderer/src/store/settings.js';
import type { CostOverview, DestinationCost, PriceRowInfo, PriceTable } from '../../../shared/api/cost.js';
import type { Dashboard } from '../../../shared/api/entities.js';
import { appInfo, installFakeApi, settings, summary } from './fake-api.js';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});
beforeEach(() => {
  useActiveRun.setState({ active: null, finishedRunId: null });
  useRoute.setState({ screen: 'dashboard' });
  useSettings.setState({ settings: null, error: null });
});

const dashboard = (): Dashboard => ({
  sources: 1,
  active: null,
  schedulesPaused: false,
  timeZone: 'UTC',
  alerts: [],
  destinations: [
    summary({ id: 'd1', name: 'b2-offsite', provider: 'b2', label: 'ada/laptop' }),
    summary({ id: 'd2', name: 'usb-disk', label: '/media/usb' }),
  ],
});

function destinationCost(over: Partial<DestinationCost> = {}): DestinationCost {
  return {
    destination: 'b2-offsite',
    monthly: {
      priceId: 'b2',
      priceName: 'Backblaze B2',
      total: 1.234,
      lines: [
        { kind: 'storage', label: 'Storage: 205.6 GB × $0.006/GB', amount: 1.2336 },
        { kind: 'freeTier', label: 'Free tier: first 10 GB', amount: -0.06 },
        { kind: 'requests', label: 'Requests: 1,234 class A', amount: 0.0604 },
      ],
      warnings: ['Versions deleted before 30 days are billed for the rest of the 30 days'],
    },
    usage: { bytes: 205_600_000_000, objects: 12_345, at: Date.now() - 2 * 3600_000, measured: true },
    activity: { uploadBytes: 1_200_000_000, putRequests: 1234, getRequests: 56, listRequests: 12, verifyBytes: 0 },
    shortestKeepDays: 7,
    history: [
      { month: '2026-10', bytes: 100_000_000_000, cost: 0.6 },
      { month: '2026-11', bytes: 205_600_000_000, cost: 1.234 },
    ],
    ...over,
  };
}

const usbCost = (): DestinationCost => ({
  ...destinationCost(),
  destination: 'usb-disk',
  monthly: { priceId: 'local', priceName: 'Local disk', total: 0, lines: [], warnings: [] },
  usage: { bytes: 5_000_000, objects: 3, at: Date.now() - 60_000, measured: false },
  activity: { uploadBytes: 0, putRequests: 0, getRequests: 0, listRequests: 0, verifyBytes: 0 },
  history: [{ month: '2026-11', bytes: 5_000_000, cost: 0 }],
});

function overview(b2 = destinationCost()): CostOverview {
  const destinations = [b2, usbCost()];
  return {
    currency: 'USD',
    tableDate: '2026-12-02',
    total: destinations.reduce((n, d) => n + d.monthly.total, 0),
    destinations,
  };
}

function setup(over: Partial<Parameters<typeof installFakeApi>[0]> = {}) {
  return installFakeApi({
    'app.info': () => appInfo(false),
    'settings.get': () => settings,
    'dashboard.get': dashboard,
    'coverage.get': () => [],
    'cost.get': () => overview(),
    ...over,
  });
}

describe('dashboard costs', () => {
  it('shows each card’s monthly cost, the total with the table date, and a chart', async () => {
    setup();
    render(<App />);
    const b2 = await screen.findByRole('region', { name: 'Destination b2-offsite' });
    await within(b2).findByRole('button', { name: '≈ $1.23/month, cost breakdown' });
    const usb = screen.getByRole('region', { name: 'Destination usb-disk' });
    expect(within(usb).getByRole('button', { name: 'Free, cost breakdown' })).toBeTruthy();

    const total = screen.getByRole('region', { name: 'Estimated monthly cost' });
    expect(within(total).getByText('$1.23/month', { selector: 'p' })).toBeTruthy();
    expect(total.textContent).toContain('Prices as of 2026-12-02, change them in Settings.');
    const chart = within(total).getByRole('img');
    expect(chart.getAttribute('aria-label')).toBe(
      'Stored data and estimated cost by month, all destinations. From Oct 2026 to Nov 2026, stored data went from ' +
        '100 GB to 206 GB and the monthly estimate from $0.60 to $1.23.',
    );
    fireEvent.click(within(total).getByRole('button', { name: 'change them in Settings' }));
    expect(useRoute.getState().screen).toBe('settings');
  });

  it('opens the breakdown on focus and on hover, and closes it on Escape or when the pointer leaves', async () => {
    setup();
    render(<App />);
    const button = await screen.findByRole('button', { name: '≈ $1.23/month, cost breakdown' });
    const popover = document.getElementById(button.getAttribute('aria-controls')!)!;
    expect(popover.getAttribute('aria-label')).toBe('Cost breakdown of b2-offsite');
    expect(popover.hidden).toBe(true);
    expect(button.getAttribute('aria-expanded')).toBe('false');

    fireEvent.focus(button);
    expect(popover.hidden).toBe(false);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    const text = popover.textContent ?? '';
    expect(text).toContain('Backblaze B2 · prices as of 2026-12-02');
    expect(text).toContain('Storage: 205.6 GB × $0.006/GB$1.23');
    expect(text).toContain('Free tier: first 10 GB−$0.06');
    expect(text).toContain('Total per month$1.23');
    expect(text).toContain('206 GB in 12,345 objects, counted 2 hours ago');
    expect(text).toContain('1.2 GB uploaded · 1,234 PUT · 56 GET · 12 LIST');
    expect(within(popover).getByRole('list', { name: 'Cost warnings' }).textContent).toMatch(/before 30 days/);

    fireEvent.keyDown(button, { key: 'Escape' });
    expect(popover.hidden).toBe(true);
    fireEvent.blur(button);

    vi.useFakeTimers();
    const wrap = button.parentElement!;
    fireEvent.mouseEnter(wrap);
    expect(popover.hidden).toBe(false);
    fireEvent.mouseLeave(wrap);
    expect(popover.hidden).toBe(false);
    act(() => vi.advanceTimersByTime(250));
    expect(popover.hidden).toBe(true);
  });

  it('counts a destination with Count now, showing it busy meanwhile', async () => {
    let finish!: (d: DestinationCost) => void;
    const fake = setup({
      'cost.measure': () => new Promise<DestinationCost>((resolve) => (finish = resolve)),
    });
    render(<App />);
    const usbButton = await screen.findByRole('button', { name: 'Free, cost breakdown' });
    fireEvent.focus(usbButton);
    const popover = screen.getByRole('group', { name: 'Cost breakdown of usb-disk' });
    expect(popover.textContent).toContain('5.0 MB in 3 objects, estimated from runs since the last count');
    expect(popover.textContent).toContain('None since the first full backup');
    fireEvent.click(within(popover).getByRole('button', { name: 'Count now' }));
    const busy = within(popover).getByRole('button', { name: 'Counting…' });
    expect(busy.getAttribute('aria-busy')).toBe('true');
    fireEvent.click(busy);
    expect(fake.callsOf('cost.measure')).toEqual([{ destination: 'usb-disk' }]);
    await act(async () =>
      finish({ ...usbCost(), usage: { bytes: 5_100_000, objects: 4, at: Date.now(), measured: true } }),
    );
    expect(popover.textContent).toContain('5.1 MB in 4 objects, counted just now');
    expect(within(popover).getByRole('button', { name: 'Count now' })).toBeTruthy();
  });

  it('reloads when prices change (the settings topic)', async () => {
    let b2 = destinationCost();
    const fake = setup({ 'cost.get': () => overview(b2) });
    render(<App />);
    await screen.findByRole('button', { name: '≈ $1.23/month, cost breakdown' });
    b2 = destinationCost({ monthly: { ...b2.monthly, total: 0.004 } });
    fake.emit('changed', { topics: ['settings'] });
    await screen.findByRole('button', { name: '≈ $0.004/month, cost breakdown' });
  });
});

function priceRow(over: Partial<PriceRowInfo> = {}): PriceRowInfo {
  const values = {
    storagePerGbMonth: 0,
    egressPerGb: 0,
    putPer1000: 0,
    getPer1000: 0,
    listPer1000: 0,
    retrievalPerGb: 0,
    minStorageDays: 0,
    minObjectKb: 0,
    monthlyMinimumGb: 0,
    freeStorageGb: 0,
  };
  return {
    id: 'self-hosted',
    provider: 'self-hosted',
    name: 'Self-hosted S3 (MinIO, other)',
    storageClass: null,
    gbUnit: 'GB',
    values,
    defaults: values,
    overridden: [],
    source: '',
    asOf: '2026-12-02',
    notes: ['your own server: free unless you set its prices here'],
    ...over,
  };
}

describe('price overrides', () => {
  function setupPrices() {
    const b2 = priceRow({
      id: 'b2',
      provider: 'b2',
      name: 'Backblaze B2',
      source: 'https://www.backblaze.com/cloud-storage/pricing',
      values: { ...priceRow().values, storagePerGbMonth: 0.006 },
      defaults: { ...priceRow().values, storagePerGbMonth: 0.006 },
    });
    const rows = new Map([b2, priceRow()].map((r) => [r.id, r]));
    const fake = installFakeApi({
      'cost.prices': (): PriceTable => ({ tableDate: '2026-12-02', rows: [...rows.values()] }),
      'cost.setPrice': ({ id, field, value }) => {
        const row = rows.get(id)!;
        const overridden = row.overridden.filter((f) => f !== field);
        if (value !== null) overridden.push(field);
        const next = { ...row, values: { ...row.values, [field]: value ?? row.defaults[field] }, overridden };
        rows.set(id, next);
        return next;
      },
    });
    render(<PriceOverrides />);
    return fake;
  }

  it('groups rows by provider and links the source page outside', async () => {
    setupPrices();
    const select = (await screen.findByLabelText('Price row')) as HTMLSelectElement;
    expect([...select.querySelectorAll('optgroup')].map((g) => g.label)).toEqual(['Backblaze B2', 'Self-hosted S3']);
    const link = screen.getByRole('link', { name: /^Price page\s+of Backblaze B2 \(opens outside Strata\)/ });
    expect(link.getAttribute('target')).toBe('_blank');
    expect(link.getAttribute('rel')).toBe('noopener noreferrer');
  });

  it('refuses what is not a price, saves an override, and resets it', async () => {
    const fake = setupPrices();
    const select = (await screen.findByLabelText('Price row')) as HTMLSelectElement;
    fireEvent.change(select, { target: { value: 'self-hosted' } });
    const row = screen.getByRole('group', { name: 'Self-hosted S3 (MinIO, other)' });
    expect(row.textContent).toContain('Your own server: free unless you set its prices here');
    const storage = within(row).getByLabelText('Storage') as HTMLInputElement;

    for (const [text, problem] of [
      ['-0.5', 'Give 0 or more: prices cannot be negative'],
      ['lots', 'Give a number, like 0.023'],
      ['', 'Give a number (0 for free), or Reset to use the table’s figure'],
    ]) {
      fireEvent.change(storage, { target: { value: text } });
      fireEvent.keyDown(storage, { key: 'Enter' });
      expect(within(row).getByText(problem!)).toBeTruthy();
      expect(storage.getAttribute('aria-invalid')).toBe('true');
    }
    expect(fake.callsOf('cost.setPrice')).toEqual([]);

    fireEvent.change(storage, { target: { value: '0,02' } });
    fireEvent.blur(storage);
    await within(row).findByText('Saved');
    expect(fake.callsOf('cost.setPrice')).toEqual([{ id: 'self-hosted', field: 'storagePerGbMonth', value: 0.02 }]);
    expect(storage.value).toBe('0.02');
    expect(storage.getAttribute('aria-invalid')).toBeNull();
    expect(within(row).getByText('Changed')).toBeTruthy();
    expect(select.selectedOptions[0]!.textContent).toBe('Self-hosted S3 (MinIO, other) — $0.02/GB-month (changed)');

    fireEvent.click(within(row).getByRole('button', { name: 'Reset Storage to the table’s $0' }));
    await within(row).findByText('Table’s figure restored');
    expect(fake.callsOf('cost.setPrice')[1]).toEqual({ id: 'self-hosted', field: 'storagePerGbMonth', value: null });
    expect(storage.value).toBe('0');
    expect(within(row).queryByText('Changed')).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(storage));
  });

  it('typing the table’s own figure resets rather than overriding with the same number', async () => {
    const fake = setupPrices();
    await screen.findByLabelText('Price row');
    const row = screen.getAllByRole('group', { name: 'Backblaze B2' }).find((g) => g.tagName === 'DIV')!;
    const storage = within(row).getByLabelText('Storage');
    // Unchanged: nothing to save.
    fireEvent.change(storage, { target: { value: '0.006' } });
    fireEvent.keyDown(storage, { key: 'Enter' });
    expect(fake.callsOf('cost.setPrice')).toEqual([]);

    fireEvent.change(storage, { target: { value: '0.005' } });
    fireEvent.keyDown(storage, { key: 'Enter' });
    await within(row).findByText('Changed');
    fireEvent.change(storage, { target: { value: '0.006' } });
    fireEvent.keyDown(storage, { key: 'Enter' });
    await waitFor(() => expect(within(row).queryByText('Changed')).toBeNull());
    expect(fake.callsOf('cost.setPrice')).toEqual([
      { id: 'b2', field: 'storagePerGbMonth', value: 0.005 },
      { id: 'b2', field: 'storagePerGbMonth', value: null },
    ]);
  });
});
