// Bundles the CLI and headless host (dist/electron/server/strata.mjs) with esbuild, with the worker
// threads' scripts beside it (backup-workers.ts and restore-workers.ts look for them there). Node
// loaded the ~370 modules of the unbundled CLI one by one: about 0.15 s and 0.3 s of CPU at every
// start, which a backup from cron or a script pays each time. It sits beside the compiled cli.js,
// so what it finds relative to itself (the renderer, package.json) is where cli.js finds it.
//
// Split at the code's dynamic imports: what only an S3 destination, a Drive source or the web host
// needs (the AWS SDK, Google's client, ws: two thirds of the code) is in chunks of its own, beside
// the entry, loaded when used. One bundle made every start parse all of it: ~0.3 s of a restore
// to a local disk, and again in each restore worker.
import { build } from 'esbuild';
import { chmodSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/electron/server`;
/**
 * zod's namespace (\`z\`) carries \`z.locales\`: its error messages in ~40 languages, 40 % of the core
 * chunk, which Strata never uses (its messages are English, from zod's default). That namespace is
 * an empty object here, so every start stops parsing them.
 */
const noZodLocales = {
  name: 'no-zod-locales',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(args.importer)
        ? { path: 'zod-locales', namespace: 'no-zod-locales' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'no-zod-locales' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

const options = {
  plugins: [noZodLocales],
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
  outdir,
  // Native modules load from node_modules.
  external: ['better-sqlite3', '@napi-rs/keyring'],
  // Bundled CommonJS dependencies still call require(); give them one (in every chunk).
  banner: {
    js: "import { createRequire as __strataRequire } from 'node:module'; const require = __strataRequire(import.meta.url);",
  },
};

// Chunks of an earlier build would only pile up: their names change with their content.
for (const name of readdirSync(outdir, { withFileTypes: true })) {
  if (name.isFile() && /^(strata|worker)-chunk-/.test(name.name)) rmSync(`${outdir}/${name.name}`);
}

// The CLI: its chunks are .mjs like it (dist/ has no package.json to say the .js files are ESM).
await build({
  ...options,
  entryPoints: { strata: 'electron/server/cli.ts' },
  chunkNames: 'strata-chunk-[hash]',
  outExtension: { '.js': '.mjs' },
});
// The workers, named as the pools load them (./restore-worker.js, ./backup-worker.js).
await build({
  ...options,
  entryPoints: {
    'restore-worker': 'electron/engine/restore/restore-worker.ts',
    'backup-worker': 'electron/engine/backup/backup-worker.ts',
  },
  chunkNames: 'worker-chunk-[hash]',
});
// npm links `bin` entries as they are: the CLI needs its exec bit to run directly.
chmodSync(`${outdir}/strata.mjs`, 0o755);
