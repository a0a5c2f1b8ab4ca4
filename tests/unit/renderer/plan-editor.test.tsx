// @vitest-environment jsdom
/** @jsxRuntime automatic */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Destinations } from '../../../renderer/src/screens/Destinations.js';
import { useSettings } from '../../../renderer/src/store/settings.js';
import { ApiError } from '../../../shared/api/client.js';
import type { PlanInfo } from '../../../shared/api/entities.js';
import { describeSchedule } from '../../../shared/schedule.js';
import { DEFAULT_VERIFY_PLAN } from '../../../shared/verify-plan.js';
import { b2Destination, installFakeApi, localDestination, planInfo, settings } from './fake-api.js';

afterEach(cleanup);
beforeEach(() => useSettings.setState({ settings, error: null }));

const DAY = 86_400_000;

const plan = planInfo;

/** Three runs at 02:30 UTC, from tomorrow on. */
function nextAt0230(): number[] {
  const d = new Date();
  const first = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 2, 2, 30);
  return [first, first + DAY, first + 2 * DAY];
}

function setup(initial: PlanInfo = plan()) {
  let saved = initial;
  const fake = installFakeApi({
    'destinations.list': () => [localDestination, b2Destination],
    'plans.get': (i) => (i.destination === 'usb-disk' ? saved : plan({ destination: i.destination })),
    'plans.set': (i) => {
      const schedule = i.schedule ?? saved.schedule;
      const retention = i.retention ?? saved.retention;
      saved = plan({ destination: i.destination, schedule, retention, staleAfterHours: i.staleAfterHours ?? 48 });
      return saved;
    },
    'schedules.preview': ({ schedule }) => {
      if (schedule.kind === 'cron' && schedule.expression.split(' ').length !== 5) {
        throw new ApiError({
          code: 'usage',
          message: `malformed cron expression '${schedule.expression}' (got 2 fields, need 5)`,
          hint: 'give five fields: minute hour day-of-month month day-of-week, e.g. "30 2 * * *" for every day at 02:30',
        });
      }
      return {
        summary: describeSchedule(schedule),
        nextRuns: schedule.kind === 'manual' ? [] : nextAt0230(),
        timeZone: 'UTC',
      };
    },
  });
  render(<Destinations />);
  return fake;
}

async function openEditor(): Promise<HTMLElement> {
  fireEvent.click(await screen.findByRole('button', { name: 'Schedule & retention of usb-disk' }));
  return screen.findByRole('form', { name: 'Schedule and retention of usb-disk' });
}

const change = (el: HTMLElement, value: string) => fireEvent.change(el, { target: { value } });
/** The preview is asked for after a pause (300 ms): room for a busy machine. */
const PREVIEW = { timeout: 5000 };

describe('plan editor', () => {
  it('shows each destination’s plan in its row', async () => {
    setup(plan({ schedule: { kind: 'daily', time: '02:00' }, retention: { keepDaily: 7 } }));
    const row = await screen.findByRole('listitem', { name: 'usb-disk' });
    expect(await within(row).findByText('Every day at 02:00, keeps 7 daily')).toBeTruthy();
  });

  it('previews a daily schedule with its next three runs, then saves it with the GFS preset', async () => {
    const fake = setup();
    const form = await openEditor();
    const how = within(form).getByLabelText('How often') as HTMLSelectElement;
    expect(how.value).toBe('manual');
    expect(within(form).getByText('Runs only when you press Back up now.')).toBeTruthy();

    change(how, 'daily');
    change(within(form).getByLabelText('Time'), '02:30');
    const next = await within(form).findByRole('list', { name: 'Next runs (UTC time)' }, PREVIEW);
    const items = within(next).getAllByRole('listitem');
    expect(items).toHaveLength(3);
    for (const li of items) expect(li.textContent).toMatch(/02:30$/);
    // Asked once the typing stopped: the last call is for the finished schedule.
    expect(fake.callsOf('schedules.preview').at(-1)).toEqual({ schedule: { kind: 'daily', time: '02:30' } });

    fireEvent.click(
      within(form).getByRole('radio', { name: 'Daily for a week, weekly for a month, monthly for a year' }),
    );
    expect(within(form).getByText('Keeps 7 daily, 4 weekly, 12 monthly')).toBeTruthy();
    expect(within(form).getByRole('status').textContent).toBe(
      'Every day at 02:30, keeps 7 daily, 4 weekly, 12 monthly',
    );

    fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByRole('form', { name: /Schedule and retention/ })).toBeNull());
    expect(fake.callsOf('plans.set')).toEqual([
      {
        destination: 'usb-disk',
        schedule: { kind: 'daily', time: '02:30' },
        retention: { keepDaily: 7, keepWeekly: 4, keepMonthly: 12 },
        // Saved with the rest, unchanged (its own tests are in verify-plan.test.tsx).
        verify: DEFAULT_VERIFY_PLAN,
        staleAfterHours: null,
      },
    ]);
  });

  it('shows a malformed cron’s message and hint at the field and keeps Save disabled', async () => {
    const fake = setup();
    const form = await openEditor();
    change(within(form).getByLabelText('How often'), 'cron');
    const cron = within(form).getByLabelText('Cron expression') as HTMLInputElement;
    expect(cron.placeholder).toBe('30 2 * * *');
    const save = within(form).getByRole('button', { name: 'Save' }) as HTMLButtonElement;
    // Empty: refused without asking the host.
    expect(save.disabled).toBe(true);
    expect(within(form).getByText('Give a cron expression')).toBeTruthy();

    change(cron, '30 2');
    const problem = await within(form).findByText(
      /Malformed cron expression '30 2' \(got 2 fields, need 5\)/,
      {},
      PREVIEW,
    );
    expect(problem.textContent).toContain('e.g. "30 2 * * *" for every day at 02:30');
    expect(cron.getAttribute('aria-invalid')).toBe('true');
    expect(cron.getAttribute('aria-describedby')).toContain(problem.id);
    expect(save.disabled).toBe(true);

    change(cron, '30 2 * * 1');
    await within(form).findByRole('list', { name: 'Next runs (UTC time)' }, PREVIEW);
    expect(cron.getAttribute('aria-invalid')).toBeNull();
    expect(save.disabled).toBe(false);
    fireEvent.click(save);
    await waitFor(() => expect(fake.callsOf('plans.set')).toHaveLength(1));
    expect(fake.callsOf('plans.set')[0]).toMatchObject({ schedule: { kind: 'cron', expression: '30 2 * * 1' } });
  });

  it('edits hourly, weekly and monthly schedules with their own fields', async () => {
    const fake = setup();
    const form = await openEditor();
    const how = within(form).getByLabelText('How often');

    change(how, 'hourly');
    change(within(form).getByLabelText('Minute past the hour'), '75');
    expect(within(form).getByText('Give the minute past the hour as 0-59')).toBeTruthy();
    change(within(form).getByLabelText('Minute past the hour'), '15');
    expect(await within(form).findByText('Every hour at :15', {}, PREVIEW)).toBeTruthy();

    change(how, 'weekly');
    change(within(form).getByLabelText('Day'), 'sat');
    change(within(form).getByLabelText('Time'), '23:05');
    expect(await within(form).findByText('Every Saturday at 23:05', {}, PREVIEW)).toBeTruthy();

    change(how, 'monthly');
    expect(within(form).getByText(/Days 29–31 run on the last day of shorter months/)).toBeTruthy();
    change(within(form).getByLabelText('Day of the month'), '31');
    await waitFor(
      () =>
        expect(fake.callsOf('schedules.preview').at(-1)).toEqual({
          schedule: { kind: 'monthly', day: 31, time: '23:05' },
        }),
      PREVIEW,
    );
    // Back to hourly: what was typed there is kept.
    change(how, 'hourly');
    expect((within(form).getByLabelText('Minute past the hour') as HTMLInputElement).value).toBe('15');
  });

  it('builds a custom retention policy and an alert threshold, starting from the preset chosen before', async () => {
    const fake = setup(
      plan({ schedule: { kind: 'daily', time: '02:00' }, retention: { keepMonthly: 12 }, staleAfterHours: 24 }),
    );
    const form = await openEditor();
    expect((within(form).getByRole('radio', { name: 'One a month for a year' }) as HTMLInputElement).checked).toBe(
      true,
    );
    expect((within(form).getByLabelText('Alert when no successful backup for') as HTMLInputElement).value).toBe('24');
    expect(within(form).queryByLabelText('Keep last')).toBeNull();

    fireEvent.click(within(form).getByRole('radio', { name: 'Custom' }));
    expect((within(form).getByLabelText('Keep monthly') as HTMLInputElement).value).toBe('12');
    change(within(form).getByLabelText('Keep last'), '1');
    change(within(form).getByLabelText('Keep monthly'), '');
    change(within(form).getByLabelText('Keep everything from the last'), '3x');
    expect(within(form).getByText(/Malformed duration '3x': write it like 30d/)).toBeTruthy();
    const save = within(form).getByRole('button', { name: 'Save' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    change(within(form).getByLabelText('Keep everything from the last'), '2w');
    expect(within(form).getByText('Keeps everything from the last 2 weeks and the latest')).toBeTruthy();

    change(within(form).getByLabelText('Alert when no successful backup for'), '0');
    expect(within(form).getByText(/Give a whole number of hours from 1 to 2160/)).toBeTruthy();
    expect(save.disabled).toBe(true);
    change(within(form).getByLabelText('Alert when no successful backup for'), '72');

    await waitFor(() => expect(save.disabled).toBe(false), PREVIEW);
    fireEvent.click(save);
    await waitFor(() => expect(fake.callsOf('plans.set')).toHaveLength(1));
    expect(fake.callsOf('plans.set')[0]).toEqual({
      destination: 'usb-disk',
      schedule: { kind: 'daily', time: '02:00' },
      retention: { keepLast: 1, keepWithin: '2w' },
      verify: DEFAULT_VERIFY_PLAN,
      staleAfterHours: 72,
    });
  });

  it('shows a refused save in a banner and keeps the editor open', async () => {
    const fake = setup();
    fake.handlers['plans.set'] = () => {
      throw new ApiError({ code: 'not-found', message: 'no destination named usb-disk', hint: 'reload the list' });
    };
    const form = await openEditor();
    fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    const alert = await within(form).findByRole('alert');
    expect(alert.textContent).toContain('Could not save the plan: No destination named usb-disk');
    expect(screen.getByRole('form', { name: 'Schedule and retention of usb-disk' })).toBeTruthy();
  });
});
