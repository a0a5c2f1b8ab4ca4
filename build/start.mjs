// `npm start`: the desktop app where Electron can run; otherwise the same app headless
// (`strata serve`), printing the address of its UI. Says which one and why.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const desktopMain = `${root}dist/desktop/main.mjs`;

/** Electron's binary, when the package is installed and its download completed. */
function electronBinary() {
  try {
    const path = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

function whyHeadless(bin) {
  if (!existsSync(desktopMain)) return 'this build has no desktop shell yet';
  if (!bin) return "Electron's binary is not installed (its download needs access to GitHub)";
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)';
  }
  return undefined;
}

const bin = electronBinary();
const reason = whyHeadless(bin);
const [cmd, args] = reason
  ? [process.execPath, [`${root}dist/electron/server/cli.js`, 'serve', ...process.argv.slice(2)]]
  : [bin, [root, ...process.argv.slice(2)]];
if (reason) console.log(`Starting Strata headless: ${reason}.`);

const child = spawn(cmd, args, { stdio: 'inherit' });
// Ctrl+C reaches the child through the terminal; this process waits for it to stop cleanly.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
