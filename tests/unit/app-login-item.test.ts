import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { launchPath, windowStateFile, xdgAutostartFile } from '../../electron/app/app-paths.js';
import {
  applyLoginItem,
  autostartEntry,
  execLine,
  isLoginItemEnabled,
  startedHidden,
  type LoginItemApp,
  type LoginItemSettingsInput,
} from '../../electron/app/login-item.js';

class FakeApp implements LoginItemApp {
  set: LoginItemSettingsInput[] = [];
  queried: unknown[] = [];
  openAtLogin = false;
  wasOpenedAsHidden = false;
  setLoginItemSettings(s: LoginItemSettingsInput): void {
    this.set.push(s);
    this.openAtLogin = s.openAtLogin;
  }
  getLoginItemSettings(options?: { args?: string[] }): { openAtLogin: boolean; wasOpenedAsHidden: boolean } {
    this.queried.push(options);
    return { openAtLogin: this.openAtLogin, wasOpenedAsHidden: this.wasOpenedAsHidden };
  }
}

describe('applyLoginItem on Linux (XDG autostart)', () => {
  let dir: string;
  let file: string;
  let app: FakeApp;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-autostart-'));
    file = join(dir, '.config', 'autostart', 'strata.desktop');
    app = new FakeApp();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the .desktop entry, starting hidden', () => {
    const r = applyLoginItem(app, true, 'linux', { autostartFile: file, execPath: '/opt/Strata/strata' });
    expect(r).toEqual({ method: 'xdg-autostart', enabled: true, file, action: 'written' });
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n')).toEqual([
      '[Desktop Entry]',
      'Type=Application',
      'Version=1.0',
      'Name=Strata',
      'Comment=Back up in the background',
      'Exec=/opt/Strata/strata --hidden',
      'Terminal=false',
      'X-GNOME-Autostart-enabled=true',
      '',
    ]);
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(readdirSync(join(dir, '.config', 'autostart'))).toEqual(['strata.desktop']);
    expect(app.set).toEqual([]); // Electron's API is not used on Linux
    expect(isLoginItemEnabled(app, 'linux', { autostartFile: file })).toBe(true);
  });

  it('is idempotent, and rewrites when the program moved', () => {
    applyLoginItem(app, true, 'linux', { autostartFile: file, execPath: '/opt/Strata/strata' });
    expect(applyLoginItem(app, true, 'linux', { autostartFile: file, execPath: '/opt/Strata/strata' })).toMatchObject({
      action: 'unchanged',
    });
    const r = applyLoginItem(app, true, 'linux', { autostartFile: file, execPath: '/home/me/Strata.AppImage' });
    expect(r).toMatchObject({ action: 'written' });
    expect(readFileSync(file, 'utf8')).toContain('Exec=/home/me/Strata.AppImage --hidden\n');
  });

  it('removes the entry when disabled', () => {
    applyLoginItem(app, true, 'linux', { autostartFile: file, execPath: '/opt/Strata/strata' });
    expect(applyLoginItem(app, false, 'linux', { autostartFile: file })).toEqual({
      method: 'xdg-autostart',
      enabled: false,
      file,
      action: 'removed',
    });
    expect(existsSync(file)).toBe(false);
    expect(applyLoginItem(app, false, 'linux', { autostartFile: file })).toMatchObject({ action: 'unchanged' });
    expect(isLoginItemEnabled(app, 'linux', { autostartFile: file })).toBe(false);
  });

  it('quotes an Exec path with spaces and special characters per the Desktop Entry spec', () => {
    expect(execLine(['/home/me/My Apps/Strata', '--hidden'])).toBe('"/home/me/My Apps/Strata" --hidden');
    expect(execLine(['/a/$x"y`z'])).toBe('"/a/\\\\$x\\\\"y\\\\`z"');
    expect(execLine(['/a/b\\c'])).toBe('"/a/b\\\\\\\\c"');
    expect(execLine(['/a/100%'])).toBe('"/a/100%%"');
    expect(autostartEntry('/opt/My Strata/strata')).toContain('Exec="/opt/My Strata/strata" --hidden\n');
  });

  it('needs the file and program paths', () => {
    expect(() => applyLoginItem(app, true, 'linux', { execPath: '/x' })).toThrow(/autostartFile/);
    expect(() => applyLoginItem(app, true, 'linux', { autostartFile: file })).toThrow(/execPath/);
  });
});

describe('applyLoginItem on macOS and Windows', () => {
  for (const platform of ['darwin', 'win32'] as const) {
    it(`${platform}: uses setLoginItemSettings, hidden, with --hidden`, () => {
      const app = new FakeApp();
      const r = applyLoginItem(app, true, platform, { autostartFile: '/never/used' });
      expect(app.set).toEqual([{ openAtLogin: true, openAsHidden: true, args: ['--hidden'] }]);
      expect(r).toEqual({
        method: 'login-item',
        enabled: true,
        wasEnabled: false,
        settings: { openAtLogin: true, openAsHidden: true, args: ['--hidden'] },
      });
      expect(existsSync('/never/used')).toBe(false);
      expect(isLoginItemEnabled(app, platform)).toBe(true);
      // Asked with the same args it was registered with (Windows matches on them).
      expect(app.queried).toContainEqual({ args: ['--hidden'] });

      const off = applyLoginItem(app, false, platform);
      expect(off).toMatchObject({ method: 'login-item', enabled: false, wasEnabled: true });
      expect(app.set[1]).toEqual({ openAtLogin: false, openAsHidden: true, args: ['--hidden'] });
      expect(isLoginItemEnabled(app, platform)).toBe(false);
    });
  }
});

describe('startedHidden', () => {
  it('from the flag, or macOS opened-as-hidden', () => {
    const app = new FakeApp();
    expect(startedHidden(['/opt/strata', '--hidden'])).toBe(true);
    expect(startedHidden(['/opt/strata'], app, 'darwin')).toBe(false);
    app.wasOpenedAsHidden = true;
    expect(startedHidden(['/opt/strata'], app, 'darwin')).toBe(true);
    expect(startedHidden(['/opt/strata'], app, 'linux')).toBe(false);
  });
});

describe('app paths', () => {
  it('autostart file honours XDG_CONFIG_HOME (absolute only)', () => {
    expect(xdgAutostartFile('/home/me')).toBe('/home/me/.config/autostart/strata.desktop');
    expect(xdgAutostartFile('/home/me', { XDG_CONFIG_HOME: '/cfg' })).toBe('/cfg/autostart/strata.desktop');
    expect(xdgAutostartFile('/home/me', { XDG_CONFIG_HOME: 'rel' })).toBe('/home/me/.config/autostart/strata.desktop');
  });

  it('window state file and launch path', () => {
    expect(windowStateFile('/data')).toBe('/data/window-state.json');
    expect(launchPath('/tmp/.mount_x/strata', { APPIMAGE: '/home/me/Strata.AppImage' })).toBe(
      '/home/me/Strata.AppImage',
    );
    expect(launchPath('/opt/Strata/strata', {})).toBe('/opt/Strata/strata');
  });
});
