// `npm start`: the desktop app where Electron can run; otherwise the same app headless
// (`strata serve`), printing the address of its UI. Says which one and why.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const desktopMain = `${root}dist/desktop/main.mjs`;

const electronDir = `${root}node_modules/electron`;
const hasDisplay = process.platform !== 'linux' || !!(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);

/** Electron's binary when it is there (node_modules/electron/path.txt names it inside dist/). */
function installedElectron() {
  try {
    const bin = `${electronDir}/dist/${readFileSync(`${electronDir}/path.txt`, 'utf8')}`;
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

/** Electron's binary, downloaded on first launch (from GitHub) when there is a display to show it on. */
function electronBinary() {
  if (!existsSync(electronDir) || !existsSync(desktopMain) || !hasDisplay) return undefined;
  const have = installedElectron();
  if (have) return have;
  console.log("Downloading Electron's binary (first launch)…");
  const r = spawnSync(process.execPath, [`${electronDir}/install.js`], { stdio: ['ignore', 'inherit', 'pipe'] });
  if (r.status !== 0) {
    const why =
      String(r.stderr)
        .split('\n')
        .find((l) => l.trim()) ?? 'unknown error';
    console.log(`The download failed: ${why.trim()}`);
  }
  return installedElectron();
}

function whyHeadless(bin) {
  if (!existsSync(desktopMain)) return 'this build has no desktop shell';
  if (!hasDisplay) return 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)';
  if (!bin) return "Electron's binary is not installed (its download needs access to GitHub)";
  return undefined;
}

/**
 * better-sqlite3 built for Electron's ABI, kept apart from the Node build the CLI and tests use:
 * fetched once as a prebuilt binary (or compiled against Electron's headers) into a cache folder.
 */
function electronSqliteBinding() {
  const version = JSON.parse(readFileSync(`${root}node_modules/electron/package.json`, 'utf8')).version;
  const dir = `${root}node_modules/.cache/strata/better-sqlite3-electron-${version}`;
  const binding = `${dir}/build/Release/better_sqlite3.node`;
  if (existsSync(binding)) return binding;
  console.log(`Preparing better-sqlite3 for Electron ${version} (once)…`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(`${root}node_modules/better-sqlite3`, dir, { recursive: true });
  rmSync(`${dir}/build`, { recursive: true, force: true });
  const run = (command, args) => spawnSync(command, args, { cwd: dir, stdio: 'inherit' }).status === 0;
  const prebuilt = run(process.execPath, [
    `${root}node_modules/prebuild-install/bin.js`,
    ...['--runtime', 'electron', '--target', version],
  ]);
  const built =
    prebuilt ||
    run(process.execPath, [
      process.env.npm_config_node_gyp ?? `${root}node_modules/node-gyp/bin/node-gyp.js`,
      ...['rebuild', '--release', `--target=${version}`, '--dist-url=https://electronjs.org/headers'],
    ]);
  if (!built || !existsSync(binding)) {
    console.error('Could not build better-sqlite3 for Electron; see README (Desktop app) to build it by hand.');
    process.exit(1);
  }
  return binding;
}

const bin = electronBinary();
const reason = whyHeadless(bin);
const [cmd, args] = reason
  ? [process.execPath, [`${root}dist/electron/server/strata.mjs`, 'serve', ...process.argv.slice(2)]]
  : [bin, [root, ...process.argv.slice(2)]];
if (reason) console.log(`Starting Strata headless: ${reason}.`);

const env = { ...process.env };
if (!reason && !env.STRATA_SQLITE_BINDING) env.STRATA_SQLITE_BINDING = electronSqliteBinding();

const child = spawn(cmd, args, { stdio: 'inherit', env });
// Ctrl+C reaches the child through the terminal; this process waits for it to stop cleanly.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
