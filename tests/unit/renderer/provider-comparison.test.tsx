// @vitest-environment jsdom
/** @jsxRuntime automatic */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DestinationEditor } from '../../../renderer/src/destinations/DestinationEditor.js';
import type { CostComparison } from '../../../shared/api/cost.js';
import type { InputOf } from '../../../shared/api/contract.js';
import { HOME, b2Destination, folders, installFakeApi } from './fake-api.js';

afterEach(cleanup);

const PRICE_IDS: Record<string, string> = { b2: 'b2', aws: 'aws-standard', local: 'local', r2: 'r2-standard' };

/** Four rows, unsorted, the one matching the asked provider marked current (as the engine does). */
function comparison(input: InputOf<'cost.compare'>): CostComparison {
  const current = input.storageClass === 'STANDARD_IA' ? 'aws-standard-ia' : PRICE_IDS[input.provider ?? 'local'];
  const row = (
    priceId: string,
    provider: CostComparison['rows'][number]['provider'],
    name: string,
    monthly: number,
    restore: number,
    notes: string[] = [],
  ) => ({
    priceId,
    provider,
    name,
    monthly,
    restore,
    notes,
    current: priceId === current,
  });
  return {
    basis: {
      bytes: 103_000_000_000,
      objects: 12_000,
      label: input.destination ? `what ${input.destination} stores now` : 'what your sources back up today',
    },
    rows: [
      row('aws-standard', 'aws', 'AWS S3 Standard', 2.3, 8.1),
      row('b2', 'b2', 'Backblaze B2', 0.6, 0),
      row('local', 'local', 'Local disk', 0, 0),
      row('aws-deep-archive', 'aws', 'AWS S3 Glacier Deep Archive', 0.1, 11.2, [
        '+ restore fees; objects thaw for up to 48 h before a restore',
      ]),
      row('r2-standard', 'r2', 'Cloudflare R2 Standard', 1.5, 0),
      row('aws-standard-ia', 'aws', 'AWS S3 Standard-IA', 1.3, 2.1, ['minimum 30 days per object']),
    ],
  };
}

const table = () => screen.getByRole('table', { name: /Monthly and restore cost/ });
const rowNames = () =>
  within(table())
    .getAllByRole('rowheader')
    .map((h) => h.querySelector('.cost-compare-provider')!.textContent);

describe('provider comparison in the destination editor', () => {
  it('prices every provider for what the sources back up, cheapest first, the draft’s row highlighted', async () => {
    const fake = installFakeApi({ 'fs.folders': (i) => folders(i.path ?? HOME), 'cost.compare': comparison });
    render(<DestinationEditor onSaved={() => {}} />);
    const panel = await screen.findByRole('region', { name: 'What it would cost' });
    expect(panel.textContent).toContain('For 103 GB in 12,000 objects: what your sources back up today.');
    expect(rowNames()).toEqual([
      'Local disk',
      'AWS S3 Glacier Deep Archive',
      'Backblaze B2',
      'AWS S3 Standard-IA',
      'Cloudflare R2 Standard',
      'AWS S3 Standard',
    ]);
    const current = table().querySelector('tr[aria-current="true"]')!;
    expect(current.textContent).toContain('Local disk');
    expect(current.textContent).toContain('Your choice');
    expect(current.textContent).toContain('Free');
    // The cheapest a provider charges (your own disk is always free, so it is not the useful answer).
    const deep = table().querySelector('tr[data-price-id="aws-deep-archive"]')!;
    expect(deep.textContent).toContain('Cheapest');
    expect(deep.textContent).toContain('$0.10/month');
    expect(deep.textContent).toContain('$11.20');
    expect(deep.textContent).toContain('thaw for up to 48 h');
    expect(fake.callsOf('cost.compare')).toEqual([{ provider: 'local' }]);

    // Another provider and class: asked again once, the new row highlighted.
    fireEvent.change(screen.getByLabelText('Provider'), { target: { value: 'aws' } });
    fireEvent.change(screen.getByLabelText('Storage class'), { target: { value: 'STANDARD_IA' } });
    await waitFor(() => expect(fake.callsOf('cost.compare')).toHaveLength(2));
    expect(fake.callsOf('cost.compare')[1]).toEqual({ provider: 'aws', storageClass: 'STANDARD_IA' });
    await waitFor(() =>
      expect(table().querySelector('tr[aria-current="true"]')!.getAttribute('data-price-id')).toBe('aws-standard-ia'),
    );
  });

  it('prices what a saved destination stores, and says so', async () => {
    const fake = installFakeApi({ 'fs.folders': (i) => folders(i.path ?? HOME), 'cost.compare': comparison });
    render(<DestinationEditor existing={b2Destination} onSaved={() => {}} />);
    const panel = await screen.findByRole('region', { name: 'What it would cost' });
    expect(panel.textContent).toContain(`what ${b2Destination.name} stores now`);
    expect(fake.callsOf('cost.compare')[0]).toMatchObject({ destination: b2Destination.name, provider: 'b2' });
    expect(table().querySelector('tr[aria-current="true"]')!.textContent).toContain('This destination');
  });

  it('shows nothing when there is nothing to price yet', async () => {
    const fake = installFakeApi({
      'fs.folders': (i) => folders(i.path ?? HOME),
      'cost.compare': (i) => ({
        ...comparison(i),
        basis: { bytes: 0, objects: 0, label: 'what your sources back up today' },
      }),
    });
    render(<DestinationEditor onSaved={() => {}} />);
    await waitFor(() => expect(fake.callsOf('cost.compare')).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByRole('region', { name: 'What it would cost' })).toBeNull();
  });
});
