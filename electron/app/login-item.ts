/**
 * "Start Strata at login", started hidden (tray only). macOS and Windows go through Electron's
 * app.setLoginItemSettings; Linux has no such API in Electron, so an XDG autostart entry
 * (~/.config/autostart/strata.desktop) is written or removed instead.
 */
import { writeFileAtomic } from './atomic-write.js';
import { existsSync, readFileSync, rmSync } from 'node:fs';

export const HIDDEN_FLAG = '--hidden';

/** What Electron's app.setLoginItemSettings takes (the part used here). */
export interface LoginItemSettingsInput {
  openAtLogin: boolean;
  openAsHidden?: boolean;
  args?: string[];
  path?: string;
}

/** The slice of Electron's `app` used here. */
export interface LoginItemApp {
  setLoginItemSettings(settings: LoginItemSettingsInput): void;
  getLoginItemSettings(options?: { args?: string[]; path?: string }): {
    openAtLogin: boolean;
    wasOpenedAsHidden?: boolean;
  };
}

export interface LoginItemOptions {
  /** Linux: where the autostart entry lives (see app-paths.ts xdgAutostartFile). */
  autostartFile?: string;
  /** Linux: the program the entry starts (an AppImage's own path, not its mount point). */
  execPath?: string;
  name?: string;
}

export type LoginItemResult =
  | {
      method: 'xdg-autostart';
      enabled: boolean;
      file: string;
      /** written: created or updated; removed: deleted; unchanged: already as asked. */
      action: 'written' | 'removed' | 'unchanged';
    }
  | { method: 'login-item'; enabled: boolean; wasEnabled: boolean; settings: LoginItemSettingsInput };

export function applyLoginItem(
  app: LoginItemApp,
  enabled: boolean,
  platform: NodeJS.Platform,
  options: LoginItemOptions = {},
): LoginItemResult {
  if (platform === 'linux') {
    const file = options.autostartFile;
    if (!file) throw new Error('applyLoginItem on Linux needs options.autostartFile');
    if (!enabled) {
      if (!existsSync(file)) return { method: 'xdg-autostart', enabled, file, action: 'unchanged' };
      rmSync(file, { force: true });
      return { method: 'xdg-autostart', enabled, file, action: 'removed' };
    }
    if (!options.execPath) throw new Error('applyLoginItem on Linux needs options.execPath');
    const body = autostartEntry(options.execPath, options.name);
    if (readOrNull(file) === body) return { method: 'xdg-autostart', enabled, file, action: 'unchanged' };
    writeFileAtomic(file, body);
    return { method: 'xdg-autostart', enabled, file, action: 'written' };
  }
  const settings: LoginItemSettingsInput = { openAtLogin: enabled, openAsHidden: true, args: [HIDDEN_FLAG] };
  const wasEnabled = readLoginItem(app);
  app.setLoginItemSettings(settings);
  return { method: 'login-item', enabled, wasEnabled, settings };
}

/** Whether Strata starts at login now. */
export function isLoginItemEnabled(
  app: LoginItemApp,
  platform: NodeJS.Platform,
  options: LoginItemOptions = {},
): boolean {
  if (platform === 'linux') {
    const text = options.autostartFile ? readOrNull(options.autostartFile) : null;
    if (text === null) return false;
    return !/^Hidden\s*=\s*true\s*$/m.test(text) && !/^X-GNOME-Autostart-enabled\s*=\s*false\s*$/m.test(text);
  }
  return readLoginItem(app);
}

/** Started by the login item (or asked to start in the tray): no window at first. */
export function startedHidden(
  argv: readonly string[],
  app?: Pick<LoginItemApp, 'getLoginItemSettings'>,
  platform?: NodeJS.Platform,
): boolean {
  if (argv.includes(HIDDEN_FLAG)) return true;
  if (platform === 'darwin' && app) {
    try {
      return app.getLoginItemSettings().wasOpenedAsHidden === true;
    } catch {
      return false;
    }
  }
  return false;
}

/** The .desktop entry: Exec quoted per the Desktop Entry spec. */
export function autostartEntry(execPath: string, name = 'Strata'): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    `Name=${name}`,
    'Comment=Back up in the background',
    `Exec=${execLine([execPath, HIDDEN_FLAG])}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/**
 * Desktop Entry spec: an argument with reserved characters is double-quoted, with `"`, `` ` ``,
 * `$` and `\` backslash-escaped inside; then the value's own escaping doubles every backslash,
 * and `%` (field codes) is written `%%`.
 */
export function execLine(args: readonly string[]): string {
  return args
    .map((a) => (/^[A-Za-z0-9_\-./+,:=@]+$/.test(a) ? a : `"${a.replace(/["`$\\]/g, '\\$&')}"`))
    .map((a) => a.replace(/\\/g, '\\\\').replace(/%/g, '%%'))
    .join(' ');
}

function readLoginItem(app: LoginItemApp): boolean {
  try {
    // Windows matches the registry entry by path and args: ask with the same args it was set with.
    return app.getLoginItemSettings({ args: [HIDDEN_FLAG] }).openAtLogin;
  } catch {
    return false;
  }
}

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
