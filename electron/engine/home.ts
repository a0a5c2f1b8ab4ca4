import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The data folder: STRATA_HOME, else the per-user config folder (~/.config/strata on Linux). */
export function strataHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.STRATA_HOME) return resolve(env.STRATA_HOME);
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'strata');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'strata');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'strata');
}
