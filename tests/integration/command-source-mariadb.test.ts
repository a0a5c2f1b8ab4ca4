/**
 * The app's MySQL / MariaDB template against a real MariaDB (private data folder, port on
 * 127.0.0.1): the exact command the form would add, with the password in MYSQL_PWD from the secret
 * store, dumps a database with a trigger and a routine through the CLI to a local vault; the
 * database is dropped and `restore --pipe-to "mariadb …"` brings it back row for row.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandFromTemplate, EMPTY_TEMPLATE_FIELDS } from '../../shared/command-templates.js';
import { cliOk, resultOf, runCli } from '../support/cli.js';
import { findMariadb, startMariadb, type MariadbServer } from '../support/mariadb.js';

const found = findMariadb();
if ('missing' in found) console.warn(`MariaDB command-source test skipped: ${found.missing}`);

// .ci/run installs MariaDB: in CI a missing server is a failure, never a quiet skip.
describe.runIf('missing' in found && process.env.CI)('the MariaDB template in CI', () => {
  it('has MariaDB installed', () => {
    throw new Error(`${'missing' in found ? found.missing : ''}: .ci/run should have installed it`);
  });
});

describe.skipIf('missing' in found)('the MySQL / MariaDB template against a real MariaDB (CLI)', () => {
  let dir: string;
  let home: string;
  let db: MariadbServer;
  const password = 'mar1a-pw with spaces';
  const env = { STRATA_REPO_PASSPHRASE: 'mariadb vault passphrase' };
  const fingerprint = () =>
    db.sql("SELECT COUNT(*), MD5(GROUP_CONCAT(id, '|', item, '|', qty ORDER BY id SEPARATOR ',')) FROM orders", 'shop');

  beforeAll(async () => {
    if ('missing' in found) return;
    dir = await mkdtemp(join(tmpdir(), 'strata-mariadb-test-'));
    home = join(dir, 'home');
    mkdirSync(home);
    db = await startMariadb(20000 + Math.floor(Math.random() * 20000));
    db.sql(`CREATE DATABASE shop;
      CREATE USER 'backup'@'127.0.0.1' IDENTIFIED BY '${password}';
      GRANT ALL ON shop.* TO 'backup'@'127.0.0.1';`);
    db.sql(
      `CREATE TABLE orders (id INT PRIMARY KEY, item VARCHAR(100) NOT NULL, qty INT NOT NULL) CHARACTER SET utf8mb4;
       CREATE TABLE audit (n INT);
       CREATE DEFINER='backup'@'127.0.0.1' TRIGGER counted AFTER INSERT ON orders FOR EACH ROW INSERT INTO audit VALUES (NEW.id);
       CREATE DEFINER='backup'@'127.0.0.1' FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN 2 * x;
       INSERT INTO orders SELECT seq, CONCAT('item ', seq, ' – café ☕'), seq % 17 FROM seq_1_to_5000;`,
      'shop',
    );
    await cliOk(['init'], { home, env });
    mkdirSync(join(dir, 'vault'));
    await cliOk(['dest', 'add', 'local', 'vault', join(dir, 'vault'), '--layout', 'vault'], { home, env });
  }, 180_000);

  afterAll(async () => {
    await db?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('dumps with the template’s command and pipes the restore back into mariadb', async () => {
    const before = fingerprint();
    expect(before).toMatch(/^5000\t/);
    const cmd = commandFromTemplate('mysql', {
      ...EMPTY_TEMPLATE_FIELDS,
      host: '127.0.0.1',
      port: String(db.port),
      user: 'backup',
      password,
      database: 'shop',
    });
    expect(cmd.env).toEqual({ MYSQL_PWD: password });
    expect(cmd.argv.join(' ')).not.toContain(password);
    await cliOk(
      [
        ...['source', 'add', 'command', 'shopdb', '--output-name', cmd.outputName, '--env', 'MYSQL_PWD', '--'],
        ...cmd.argv,
      ],
      { home, env: { ...env, MYSQL_PWD: password } },
    );
    // The password lives in the secret store, not in the catalog.
    expect(readFileSync(join(home, 'strata.db')).toString('latin1')).not.toContain(password);
    await cliOk(['policy', 'set', 'shopdb', '/', '--to', 'vault'], { home, env });
    const run = await runCli(['backup', '--json'], { home, env });
    expect(run.code, run.stderr).toBe(0);
    expect(resultOf(run.stdout)).toMatchObject({ status: 'ok' });

    db.sql('DROP DATABASE shop; CREATE DATABASE shop;');
    expect(db.sql("SHOW TABLES LIKE 'orders'", 'shop').trim()).toBe('');
    const restore = [...['mariadb', '--host', '127.0.0.1', '--port', String(db.port), '--user', 'backup', 'shop']].join(
      ' ',
    );
    const piped = await runCli(['restore', 'vault', 'latest', '--source', 'shopdb', '--pipe-to', restore], {
      home,
      env: { ...env, MYSQL_PWD: password },
    });
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stderr).toContain('The command finished without error.');
    expect(fingerprint()).toBe(before);
    // The trigger and the routine came back with the rows.
    expect(db.sql('SELECT twice(21)', 'shop').trim()).toBe('42');
    db.sql('INSERT INTO orders VALUES (5001, "after restore", 1)', 'shop');
    expect(db.sql('SELECT COUNT(*) FROM audit WHERE n = 5001', 'shop').trim()).toBe('1');
  }, 180_000);
});
