// @vitest-environment jsdom
/** @jsxRuntime automatic */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../../renderer/src/App.js';
import { useRoute } from '../../../renderer/src/store/route.js';
import { useSettings } from '../../../renderer/src/store/settings.js';
import type { Settings } from '../../../shared/api/entities.js';
import { appInfo, installFakeApi, settings, emptyDashboard } from './fake-api.js';

afterEach(cleanup);
beforeEach(() => {
  useSettings.setState({ settings: null, error: null });
  useRoute.setState({ screen: 'dashboard' });
});

describe('settings', () => {
  it('saves MB/s as bytes per second and applies the theme', async () => {
    let current: Settings = { ...settings };
    const fake = installFakeApi({
      'app.info': () => appInfo(false),
      'settings.get': () => current,
      'settings.set': (patch) => (current = { ...current, ...patch }),
      'dashboard.get': () => emptyDashboard(),
    });
    render(<App />);
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    expect(screen.getByRole('button', { name: 'Dashboard' }).getAttribute('aria-current')).toBe('page');
    fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    expect(nav.querySelector('[aria-current="page"]')?.textContent).toBe('Settings');

    const data = (await screen.findByLabelText('Data folder')) as HTMLInputElement;
    expect(data.readOnly).toBe(true);
    expect(data.value).toBe(settings.dataFolder);
    expect(screen.getByText(/STRATA_HOME/)).toBeTruthy();

    fireEvent.change(screen.getByLabelText('Bandwidth limit (MB/s)'), { target: { value: '2.5' } });
    fireEvent.change(screen.getByLabelText('Concurrency'), { target: { value: '8' } });
    fireEvent.click(screen.getByRole('radio', { name: 'Dark' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByText('Saved')).toBeTruthy();
    expect(fake.callsOf('settings.set')).toEqual([
      {
        concurrency: 8,
        bandwidthLimit: 2_500_000,
        theme: 'dark',
        launchAtLogin: false,
        notifyOnSuccess: false,
        skipOnBattery: false,
        webhookStyle: 'chat',
      },
    ]);
    expect(document.documentElement.dataset.theme).toBe('dark');

    // Empty means unlimited; System removes the pin.
    fireEvent.change(screen.getByLabelText('Bandwidth limit (MB/s)'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('radio', { name: 'System' }));
    expect(screen.queryByText('Saved')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(fake.callsOf('settings.set')).toHaveLength(2));
    expect(fake.callsOf('settings.set')[1]).toMatchObject({ concurrency: 8, bandwidthLimit: null, theme: 'system' });
    await waitFor(() => expect(document.documentElement.dataset.theme).toBeUndefined());
  });

  it('refuses a concurrency out of range without calling the host', async () => {
    const fake = installFakeApi({
      'app.info': () => appInfo(false),
      'settings.get': () => settings,
      'dashboard.get': () => emptyDashboard(),
    });
    useRoute.setState({ screen: 'settings' });
    render(<App />);
    fireEvent.change(await screen.findByLabelText('Concurrency'), { target: { value: '100' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Give a whole number from 1 to 64')).toBeTruthy();
    expect(fake.callsOf('settings.set')).toEqual([]);
  });

  it('saves a webhook URL once, never shows it back, and removes it', async () => {
    let current: Settings = { ...settings };
    const fake = installFakeApi({
      'app.info': () => appInfo(false),
      'settings.get': () => current,
      'settings.set': ({ webhookUrl, ...patch }) => {
        current = { ...current, ...patch };
        if (webhookUrl !== undefined) current.webhookConfigured = webhookUrl !== null;
        return current;
      },
      'dashboard.get': () => emptyDashboard(),
    });
    useRoute.setState({ screen: 'settings' });
    render(<App />);
    const notifications = await screen.findByRole('group', { name: 'Notifications' });
    const url = within(notifications).getByLabelText('Webhook URL') as HTMLInputElement;
    expect(url.type).toBe('password');
    expect(within(notifications).queryByText('A webhook is saved')).toBeNull();

    fireEvent.change(url, { target: { value: 'hooks.example.com/x' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Give a full http:// or https:// URL')).toBeTruthy();
    expect(fake.callsOf('settings.set')).toEqual([]);

    fireEvent.change(url, { target: { value: 'https://hc-ping.com/abc' } });
    fireEvent.click(within(notifications).getByRole('radio', { name: 'Healthchecks' }));
    expect(
      within(notifications).getByRole('radio', { name: 'Healthchecks' }).getAttribute('aria-describedby'),
    ).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Saved');
    expect(fake.callsOf('settings.set')[0]).toMatchObject({
      webhookStyle: 'healthchecks',
      webhookUrl: 'https://hc-ping.com/abc',
    });

    const saved = await screen.findByText('A webhook is saved');
    const field = screen.getByLabelText('Webhook URL') as HTMLInputElement;
    expect(field.value).toBe('');
    expect(field.placeholder).toBe('Saved — leave empty to keep');
    expect((screen.getByRole('radio', { name: 'Healthchecks' }) as HTMLInputElement).checked).toBe(true);

    // Saving again without typing keeps the saved URL: no webhookUrl in the patch.
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(fake.callsOf('settings.set')).toHaveLength(2));
    expect(fake.callsOf('settings.set')[1]).not.toHaveProperty('webhookUrl');

    expect(saved).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Remove webhook' }));
    await waitFor(() => expect(screen.queryByText('A webhook is saved')).toBeNull());
    expect(fake.callsOf('settings.set')[2]).toEqual({ webhookUrl: null });
    expect(document.activeElement).toBe(screen.getByLabelText('Webhook URL'));
  });
});
