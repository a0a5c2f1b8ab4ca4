// Bundles the CLI and headless host (dist/electron/server/strata.mjs) with esbuild, with the worker
// threads' scripts beside it (backup-workers.ts and restore-workers.ts look for them there). Node
// loaded the ~370 modules of the unbundled CLI one by one: about 0.15 s and 0.3 s of CPU at every
// start, which a backup from cron or a script pays each time. It sits beside the compiled cli.js,
// so what it finds relative to itself (the renderer, package.json) is where cli.js finds it.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const options = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
  // Native modules load from node_modules.
  external: ['better-sqlite3', '@napi-rs/keyring'],
  // Bundled CommonJS dependencies still call require(); give them one.
  banner: {
    js: "import { createRequire as __strataRequire } from 'node:module'; const require = __strataRequire(import.meta.url);",
  },
};

for (const [entry, out] of [
  ['electron/server/cli.ts', 'dist/electron/server/strata.mjs'],
  ['electron/engine/restore/restore-worker.ts', 'dist/electron/server/restore-worker.js'],
  ['electron/engine/backup/backup-worker.ts', 'dist/electron/server/backup-worker.js'],
]) {
  await build({ ...options, entryPoints: [entry], outfile: out });
}
// npm links `bin` entries as they are: the CLI needs its exec bit to run directly.
chmodSync(`${root}dist/electron/server/strata.mjs`, 0o755);
