// @vitest-environment jsdom
/** @jsxRuntime automatic */
/** The plan editor's Verification section: how often and how thoroughly, saved with plans.set with the rest. */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Destinations } from '../../../renderer/src/screens/Destinations.js';
import { useSettings } from '../../../renderer/src/store/settings.js';
import type { PlanInfo } from '../../../shared/api/entities.js';
import { describeSchedule } from '../../../shared/schedule.js';
import { describeVerifyPlan } from '../../../shared/verify-plan.js';
import { installFakeApi, localDestination, planInfo, settings } from './fake-api.js';

afterEach(cleanup);
beforeEach(() => useSettings.setState({ settings, error: null }));

function setup(initial: PlanInfo) {
  let saved = initial;
  const fake = installFakeApi({
    'destinations.list': () => [localDestination],
    'plans.get': () => saved,
    'plans.set': (i) => {
      const verify = i.verify ?? saved.verify;
      saved = planInfo({
        schedule: i.schedule ?? saved.schedule,
        retention: i.retention ?? saved.retention,
        verify,
        verifySummary: describeVerifyPlan(verify),
      });
      return saved;
    },
    'schedules.preview': ({ schedule }) => ({ summary: describeSchedule(schedule), nextRuns: [], timeZone: 'UTC' }),
  });
  render(<Destinations />);
  return fake;
}

async function openEditor(): Promise<HTMLElement> {
  fireEvent.click(await screen.findByRole('button', { name: 'Schedule & retention of usb-disk' }));
  return screen.findByRole('form', { name: 'Schedule and retention of usb-disk' });
}

const change = (el: HTMLElement, value: string) => fireEvent.change(el, { target: { value } });

describe('plan editor: verification', () => {
  it('turns on a weekly deep check of a share and saves it with the schedule and retention', async () => {
    const fake = setup(planInfo({ schedule: { kind: 'daily', time: '02:00' }, retention: { keepDaily: 7 } }));
    const form = await openEditor();
    expect(within(form).getByRole('heading', { name: 'Verification' })).toBeTruthy();
    const every = within(form).getByLabelText('Verify') as HTMLSelectElement;
    expect(every.value).toBe('off');
    expect([...every.options].map((o) => o.text)).toEqual(['Off', 'Daily', 'Weekly', 'Monthly']);
    expect(within(form).getByText('After a scheduled backup, once the last check is this old.')).toBeTruthy();
    expect(within(form).getByText('Not verified on a schedule')).toBeTruthy();
    // Off: nothing to choose about how.
    expect(within(form).queryByRole('radio', { name: 'Quick' })).toBeNull();

    change(every, 'weekly');
    expect((within(form).getByRole('radio', { name: 'Quick' }) as HTMLInputElement).checked).toBe(true);
    expect(within(form).getByText('Weekly, quick, after a scheduled backup')).toBeTruthy();

    fireEvent.click(within(form).getByRole('radio', { name: 'Deep' }));
    const share = within(form).getByLabelText('Share to read') as HTMLInputElement;
    // The saved share (the default, 10%) until changed.
    expect(share.value).toBe('10');
    change(share, '101');
    expect(within(form).getByText('Give a whole percent from 1 to 100')).toBeTruthy();
    const save = within(form).getByRole('button', { name: 'Save' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    change(share, '25');
    expect(save.disabled).toBe(false);
    expect(within(form).getByText('Weekly, deep (25% read each time), after a scheduled backup')).toBeTruthy();

    fireEvent.click(save);
    await waitFor(() => expect(screen.queryByRole('form')).toBeNull());
    expect(fake.callsOf('plans.set')).toEqual([
      {
        destination: 'usb-disk',
        schedule: { kind: 'daily', time: '02:00' },
        retention: { keepDaily: 7 },
        verify: { every: 'weekly', deep: true, samplePercent: 25 },
        staleAfterHours: null,
      },
    ]);
  });

  it('shows the saved plan, and keeps a hidden share when switching to Quick', async () => {
    const fake = setup(
      planInfo({
        schedule: { kind: 'daily', time: '02:00' },
        verify: { every: 'monthly', deep: true, samplePercent: 30 },
      }),
    );
    const form = await openEditor();
    expect((within(form).getByLabelText('Verify') as HTMLSelectElement).value).toBe('monthly');
    expect((within(form).getByRole('radio', { name: 'Deep' }) as HTMLInputElement).checked).toBe(true);
    const share = within(form).getByLabelText('Share to read') as HTMLInputElement;
    expect(share.value).toBe('30');
    // A wrong share stops mattering once Quick hides it: the saved one is kept.
    change(share, '');
    fireEvent.click(within(form).getByRole('radio', { name: 'Quick' }));
    expect(within(form).queryByLabelText('Share to read')).toBeNull();
    fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(fake.callsOf('plans.set')).toHaveLength(1));
    expect(fake.callsOf('plans.set')[0]!.verify).toEqual({ every: 'monthly', deep: false, samplePercent: 30 });
  });

  it('says a manual-only destination is not verified on its own', async () => {
    setup(planInfo({ verify: { every: 'daily', deep: false, samplePercent: 10 } }));
    const form = await openEditor();
    expect(
      within(form).getByText(/backs up only when you press Back up now, so it is not verified on its own/),
    ).toBeTruthy();
    change(within(form).getByLabelText('How often'), 'daily');
    await waitFor(() => expect(within(form).queryByText(/not verified on its own/)).toBeNull());
  });
});
