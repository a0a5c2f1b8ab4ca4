// Bundles the desktop shell with esbuild: the main process (ESM, with the engine) and the preload
// (CommonJS: a sandboxed preload can require nothing but 'electron'). Native modules stay outside
// the bundle; electron-builder unpacks them from the asar archive.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const common = { bundle: true, platform: 'node', sourcemap: true, logLevel: 'warning', absWorkingDir: root };

await build({
  ...common,
  entryPoints: ['electron/app/preload.ts'],
  outfile: 'dist/desktop/preload.cjs',
  format: 'cjs',
  target: 'chrome130',
  minify: true,
  external: ['electron'],
});

const main = {
  ...common,
  format: 'esm',
  target: 'node22',
  external: ['electron', 'better-sqlite3', '@napi-rs/keyring'],
  // Bundled CommonJS dependencies still call require(); give them one.
  banner: {
    js: "import { createRequire as __strataRequire } from 'node:module'; const require = __strataRequire(import.meta.url);",
  },
};

await build({ ...main, entryPoints: ['electron/app/main.ts'], outfile: 'dist/desktop/main.mjs' });

// A restore's and a vault backup's worker threads load these beside main.mjs (restore-workers.ts
// and backup-workers.ts find them there, or unpacked from the asar archive).
for (const [entry, out] of [
  ['electron/engine/restore/restore-worker.ts', 'dist/desktop/restore-worker.js'],
  ['electron/engine/backup/backup-worker.ts', 'dist/desktop/backup-worker.js'],
]) {
  await build({ ...main, entryPoints: [entry], outfile: out });
}
