/**
 * Command sources through the CLI, as a person runs them: a real PostgreSQL (private port and
 * socket folder) dumped by pg_dump into a snapshot on s3rver and on a local vault, the database
 * dropped, then brought back with pg_restore from the restored file. A failing command leaves the
 * previous snapshot as the latest.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliOk, resultOf, runCli, s3DestArgs } from '../support/cli.js';
import { findPostgres, startPostgres, type PostgresServer } from '../support/postgres.js';
import { startS3rver, type S3rverHarness } from '../support/s3rver.js';

const BUCKET = 'strata-commands';
const found = findPostgres();
if ('missing' in found) console.warn(`command-source tests skipped: ${found.missing}`);

// .ci/run installs PostgreSQL: in CI a missing server is a failure, never a quiet skip.
describe.runIf('missing' in found && process.env.CI)('command sources in CI', () => {
  it('has PostgreSQL installed', () => {
    throw new Error(`${'missing' in found ? found.missing : ''}: .ci/run should have installed it`);
  });
});

describe.skipIf('missing' in found)('command sources (CLI, real PostgreSQL, s3rver)', () => {
  let dir: string;
  let home: string;
  let s3: S3rverHarness;
  let pg: PostgresServer;
  const env = { STRATA_SECRET_ACCESS_KEY: 'S3RVER', STRATA_REPO_PASSPHRASE: 'command source vault' };
  const cli = (args: string[], extra: Record<string, string> = {}) => runCli(args, { home, env: { ...env, ...extra } });
  const ok = (args: string[], extra: Record<string, string> = {}) => cliOk(args, { home, env: { ...env, ...extra } });
  const snapshotsOf = async (dest: string, source: string) => {
    const out = JSON.parse(await ok(['snapshots', '--dest', dest, '--json'])) as {
      snapshots: { snapshotId: string; sourceName: string; files: number; bytes: number }[];
    };
    return out.snapshots.filter((s) => s.sourceName === source);
  };
  const fingerprint = () =>
    pg.sql(
      'shop',
      "SELECT count(*) || ':' || md5(string_agg(id || '|' || item || '|' || qty, ',' ORDER BY id)) FROM orders",
    );

  beforeAll(async () => {
    if ('missing' in found) return;
    dir = await mkdtemp(join(tmpdir(), 'strata-command-'));
    home = join(dir, 'home');
    mkdirSync(home);
    s3 = await startS3rver([BUCKET]);
    pg = await startPostgres(found.bin, 20000 + Math.floor(Math.random() * 20000));
    pg.sql('postgres', 'CREATE DATABASE shop');
    pg.sql(
      'shop',
      `CREATE TABLE orders (id int PRIMARY KEY, item text NOT NULL, qty int NOT NULL);
       INSERT INTO orders SELECT g, 'item ' || g || ' – café ☕', g % 17 FROM generate_series(1, 20000) g;`,
    );
    await ok(['init']);
    await ok(s3DestArgs('cloud', s3.endpoint, BUCKET));
    mkdirSync(join(dir, 'vault'));
    await ok(['dest', 'add', 'local', 'vault', join(dir, 'vault'), '--layout', 'vault']);
  }, 120_000);

  afterAll(async () => {
    await pg?.stop();
    await s3?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('backs up a pg_dump, and pg_restore brings the dropped database back row for row', async () => {
    const before = fingerprint();
    expect(before).toMatch(/^20000:/);
    const pgDump = join(pg.bin, 'pg_dump');
    // PGDATABASE comes from the secret store: the command names no database itself.
    const added = await ok(
      [
        ...['source', 'add', 'command', 'shopdb', '--output-name', 'shop.dump', '--timeout', '10m'],
        ...['--env', 'PGDATABASE', '--', pgDump, '--format=custom', ...pg.connection],
      ],
      { PGDATABASE: 'shop' },
    );
    expect(added).toContain(`Added source 'shopdb' (${pgDump} --format=custom`);
    expect(added).toContain('→ shop.dump)');
    // The variable's value is a secret: not in the catalog.
    const catalog = readFileSync(join(home, 'strata.db')).toString('latin1');
    expect(catalog).toContain('PGDATABASE');
    expect(catalog).not.toMatch(/PGDATABASE[^a-z]{0,8}shop/);

    await ok(['policy', 'set', 'shopdb', '/', '--to', 'cloud,vault']);
    const run = await cli(['backup', '--source', 'shopdb', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(resultOf(run.stdout)).toMatchObject({ status: 'ok' });
    for (const dest of ['cloud', 'vault']) {
      const snaps = await snapshotsOf(dest, 'shopdb');
      expect(snaps).toHaveLength(1);
      expect(snaps[0]!.files).toBe(1);
      expect(snaps[0]!.bytes).toBeGreaterThan(100_000);
    }

    pg.sql('postgres', 'DROP DATABASE shop');
    pg.sql('postgres', 'CREATE DATABASE shop');
    expect(pg.sql('shop', "SELECT count(*) FROM pg_tables WHERE tablename = 'orders'").trim()).toBe('0');

    // From the bucket: the file into a folder, then pg_restore by hand.
    const to = join(dir, 'restored-cloud');
    await ok(['restore', 'cloud', 'latest', '--source', 'shopdb', '--to', to]);
    const file = join(to, 'shop.dump');
    expect(statSync(file).size).toBeGreaterThan(100_000);
    execFileSync(join(pg.bin, 'pg_restore'), [...pg.connection, '-d', 'shop', '--exit-on-error', file]);
    expect(fingerprint()).toBe(before);

    // From the vault: straight into pg_restore with --pipe-to.
    pg.sql('postgres', 'DROP DATABASE shop');
    pg.sql('postgres', 'CREATE DATABASE shop');
    const pgRestore = [join(pg.bin, 'pg_restore'), ...pg.connection, '-d', 'shop', '--exit-on-error'].join(' ');
    const piped = await cli(['restore', 'vault', 'latest', '--source', 'shopdb', '--pipe-to', pgRestore]);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stderr).toMatch(
      /Restored shop\.dump \(.+, SHA-256 checked\) from snapshot .+; feeding it to “.*pg_restore/,
    );
    expect(piped.stderr).toContain('The command finished without error.');
    expect(fingerprint()).toBe(before);
    expect(readdirSync(join(home, 'tmp')).filter((n) => n.startsWith('pipe-'))).toEqual([]);

    // A command that fails says so, with its own words, and exits 1.
    const failing = await cli([
      ...['restore', 'vault', 'latest', '--source', 'shopdb', '--pipe-to'],
      `${join(pg.bin, 'pg_restore')} ${pg.connection.join(' ')} -d no_such_db --exit-on-error`,
    ]);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(/exited with code 1: .*no_such_db/);
    // --pipe-to feeds exactly one file.
    const none = await cli(['restore', 'vault', 'latest', '--source', 'shopdb', '--path', 'nope', '--pipe-to', 'cat']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--pipe-to feeds one file, and this selection of snapshot .+ holds 0/);
  }, 300_000);

  it('a failing command fails the backup and leaves the previous snapshot as the latest', async () => {
    const flag = join(dir, 'break-it');
    await ok([
      ...['source', 'add', 'command', 'flaky', '--output-name', 'report.txt.gz', '--gzip', '--shell', '--'],
      `echo good data; if [ -e '${flag}' ]; then echo half; echo "disk on fire" >&2; exit 3; fi`,
    ]);
    await ok(['policy', 'set', 'flaky', '/', '--to', 'cloud,vault']);
    const first = await cli(['backup', '--source', 'flaky']);
    expect(first.code, first.stderr).toBe(0);

    writeFileSync(flag, '');
    const second = await cli(['backup', '--source', 'flaky']);
    expect(second.code).toBe(1);
    expect(second.stdout + second.stderr).toMatch(/” exited with code 3: disk on fire/);
    for (const dest of ['cloud', 'vault']) {
      expect(await snapshotsOf(dest, 'flaky'), dest).toHaveLength(1);
      const to = join(dir, `flaky-${dest}`);
      await ok(['restore', dest, 'latest', '--source', 'flaky', '--to', to]);
      const restored = join(to, 'report.txt.gz');
      expect(existsSync(restored)).toBe(true);
      expect(gunzipSync(readFileSync(restored)).toString(), dest).toBe('good data\n');
    }
  }, 300_000);

  it('a command that is not installed fails the backup with how to fix it', async () => {
    await ok(['source', 'add', 'command', 'missing', '--output-name', 'x.sql', '--', 'strata-no-such-dump', 'db']);
    await ok(['policy', 'set', 'missing', '/', '--to', 'cloud,vault']);
    const r = await cli(['backup', '--source', 'missing']);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain('command “strata-no-such-dump” was not found');
    expect(r.stdout + r.stderr).toContain('give its full path');
    expect(r.stderr).not.toMatch(/Unhandled|at .*\.js:\d+/);
    for (const dest of ['cloud', 'vault']) expect(await snapshotsOf(dest, 'missing'), dest).toHaveLength(0);
  }, 120_000);

  it('runs hooks around a backup: a failing before-hook stops it, after-hooks always run with the outcome', async () => {
    const trail = join(dir, 'hook-trail.txt');
    const gate = join(dir, 'hook-gate');
    await ok(['source', 'add', 'command', 'hooked', '--output-name', 'h.txt', '--', 'echo', 'hooked data']);
    await ok(['policy', 'set', 'hooked', '/', '--to', 'vault']);
    const before = await ok([
      ...['hook', 'set', 'hooked', '/', '--timeout', '30s', '--before'],
      `echo "before $STRATA_HOOK $STRATA_SOURCE to $STRATA_DESTINATIONS" >> '${trail}'; echo maintenance on; test ! -e '${gate}' || { echo "site busy" >&2; exit 4; }`,
    ]);
    expect(before).toBe(
      "Before hooked's backup: " +
        `echo "before $STRATA_HOOK $STRATA_SOURCE to $STRATA_DESTINATIONS" >> '${trail}'; echo maintenance on; test ! -e '${gate}' || { echo "site busy" >&2; exit 4; }` +
        ' (time limit 30s).\n',
    );
    await ok([
      'hook',
      'set',
      'hooked',
      '/',
      '--after',
      `echo "after $STRATA_STATUS $STRATA_SNAPSHOT_IDS" >> '${trail}'`,
    ]);
    const listed = JSON.parse(await ok(['hook', 'list', 'hooked', '--json'])) as {
      hooks: { phase: string; timeoutMs: number }[];
    };
    expect(listed.hooks.map((h) => [h.phase, h.timeoutMs])).toEqual([
      ['before', 30_000],
      ['after', 15 * 60_000],
    ]);

    const good = await cli(['backup', '--source', 'hooked']);
    expect(good.code, good.stderr).toBe(0);
    const [snap] = await snapshotsOf('vault', 'hooked');
    expect(readFileSync(trail, 'utf8')).toBe(`before before hooked to vault\nafter ok vault=${snap!.snapshotId}\n`);

    // The before-hook fails: no backup, a clear reason, and the after-hook still runs (told it failed).
    writeFileSync(gate, '');
    const stopped = await cli(['backup', '--source', 'hooked']);
    expect(stopped.code).toBe(1);
    expect(stopped.stdout + stopped.stderr).toMatch(
      /the backup of 'hooked' did not run: its before-backup hook failed \(command “.*” exited with code 4: site busy\)/,
    );
    expect(await snapshotsOf('vault', 'hooked')).toHaveLength(1);
    expect(readFileSync(trail, 'utf8').split('\n').slice(2)).toEqual([
      'before before hooked to vault',
      'after failed ',
      '',
    ]);

    // Their output is in the run log.
    const db = new Database(join(home, 'strata.db'), { readonly: true });
    const lines = (db.prepare('SELECT message FROM run_log ORDER BY id').all() as { message: string }[]).map(
      (r) => r.message,
    );
    db.close();
    expect(lines.some((l) => /before-backup hook .* \(\/\): maintenance on$/.test(l))).toBe(true);
    expect(lines.some((l) => /before-backup hook .* failed: .*exited with code 4: site busy/.test(l))).toBe(true);

    await ok(['hook', 'remove', 'hooked', '/', '--before']);
    expect((await cli(['hook', 'remove', 'hooked', '/', '--before'])).code).toBe(1);
    expect((await cli(['backup', '--source', 'hooked'])).code).toBe(0);
  }, 120_000);

  it('refuses bad settings with what to do', async () => {
    const bad = async (args: string[]) => {
      const r = await cli(['source', 'add', 'command', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      return r.stderr;
    };
    expect(await bad(['x1', '--output-name', 'a/b.sql', '--', 'true'])).toMatch(/not a file name.*plain name/s);
    expect(await bad(['x2', '--output-name', 'a.sql', '--timeout', '2 hours', '--', 'true'])).toMatch(
      /invalid time limit '2 hours'.*90s, 45m, 2h/s,
    );
    expect(await bad(['x3', '--output-name', 'a.sql', '--shell', '--', 'echo', 'a'])).toMatch(/one command line/);
  });
});
