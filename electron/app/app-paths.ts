/**
 * Where the desktop shell keeps its own small files. Pure: the composition passes the home
 * folder, environment, Electron's userData folder and execPath.
 */
import { join } from 'node:path';

/** $XDG_CONFIG_HOME/autostart/strata.desktop, or ~/.config/autostart/strata.desktop. */
export function xdgAutostartFile(home: string, env: Readonly<Record<string, string | undefined>> = {}): string {
  const config =
    env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(config, 'autostart', 'strata.desktop');
}

/** The window bounds file inside Electron's userData folder. */
export function windowStateFile(userData: string): string {
  return join(userData, 'window-state.json');
}

/** What a login entry should start: an AppImage's own file (its execPath is a temporary mount). */
export function launchPath(execPath: string, env: Readonly<Record<string, string | undefined>> = {}): string {
  return env.APPIMAGE || execPath;
}
