/**
 * `npm start` until the desktop UI exists: a walk-through of the CLI on an embedded example,
 * a folder under STRATA_HOME backed up to a local-disk destination under STRATA_HOME. Every
 * command is printed before it runs so it can be repeated on real folders.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { strataHome } from '../engine/home.js';

const home = strataHome();
const cli = fileURLToPath(new URL('./cli.js', import.meta.url));
const demo = join(home, 'demo');
const src = join(demo, 'documents');
const dst = join(demo, 'backup-disk');
const restored = join(demo, 'restored');

function strata(...args: string[]): { code: number; out: string } {
  console.log(`\n$ strata ${args.map((a) => (/[\s*]/.test(a) ? `'${a}'` : a)).join(' ')}`);
  const r = spawnSync(process.execPath, [cli, ...args], { stdio: ['inherit', 'pipe', 'inherit'], encoding: 'utf8' });
  process.stdout.write(r.stdout);
  return { code: r.status ?? 1, out: r.stdout };
}

function must(...args: string[]): string {
  const r = strata(...args);
  if (r.code !== 0) {
    console.error(`\nThe walk-through stopped: 'strata ${args[0]}' exited ${r.code}.`);
    process.exit(r.code);
  }
  return r.out;
}

console.log(`Strata walk-through. Data folder: ${home} (set STRATA_HOME to use another).`);
mkdirSync(join(src, 'photos'), { recursive: true });
writeFileSync(join(src, 'notes.txt'), 'Strata keeps copies of this folder.\n');
writeFileSync(join(src, 'photos', 'holiday.jpg'), Buffer.alloc(256 * 1024, 7));
writeFileSync(join(src, 'draft.tmp'), 'scratch file, excluded by the policy\n');

must('init');
const sources = JSON.parse(must('source', 'list', '--json')) as { sources: { name: string }[] };
if (!sources.sources.some((s) => s.name === 'demo-documents')) must('source', 'add', 'local', 'demo-documents', src);
const dests = JSON.parse(must('dest', 'list', '--json')) as { destinations: { name: string }[] };
if (!dests.destinations.some((d) => d.name === 'demo-disk')) must('dest', 'add', 'local', 'demo-disk', dst);
must('dest', 'test', 'demo-disk');
must('policy', 'set', 'demo-documents', '/', '--to', 'demo-disk', '--exclude', '*.tmp');
must('backup', '--source', 'demo-documents');

console.log('\n(editing notes.txt and adding a file, then backing up again: only the changes move)');
writeFileSync(join(src, 'notes.txt'), `Strata keeps copies of this folder. Edited ${new Date().toISOString()}.\n`);
writeFileSync(join(src, 'todo.txt'), 'restore the first snapshot\n');
must('backup', '--source', 'demo-documents');

const snaps = JSON.parse(must('snapshots', '--dest', 'demo-disk', '--json')) as {
  snapshots: { snapshotId: string; sourceName: string }[];
};
must('snapshots', '--dest', 'demo-disk');
const first = snaps.snapshots.find((s) => s.sourceName === 'demo-documents');
rmSync(restored, { recursive: true, force: true });
if (first) must('restore', 'demo-disk', first.snapshotId, '--to', restored, '--source', 'demo-documents');
must('status');
console.log(`\nDone. The backup is in ${dst}; the first snapshot was restored into ${restored}.`);
console.log(
  'Back up your own folder the same way: strata source add local NAME PATH; strata policy set NAME / --to demo-disk; strata backup',
);
