/**
 * A private MariaDB server for tests: its own data folder, socket and port on 127.0.0.1, never the
 * system service. Debian's `mariadb-server` package provides it (.ci/run installs it); without it
 * `findMariadb` says why, and the tests that need it skip saying so.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { waitForServer } from './server-ready.js';

const SERVER = '/usr/sbin/mariadbd';
const INSTALL_DB = '/usr/bin/mariadb-install-db';
const CLIENT = '/usr/bin/mariadb';

export interface MariadbServer {
  port: number;
  socket: string;
  /** Runs SQL as the server's root (through the socket) and returns the client's tab-separated output. */
  sql(query: string, db?: string): string;
  stop(): Promise<void>;
}

export function findMariadb(): { ok: true } | { missing: string } {
  for (const p of [SERVER, INSTALL_DB, CLIENT, '/usr/bin/mysqldump']) {
    if (!existsSync(p))
      return { missing: `MariaDB is not installed (Debian packages mariadb-server, mariadb-client: no ${p})` };
  }
  return { ok: true };
}

export async function startMariadb(port: number): Promise<MariadbServer> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-mariadb-'));
  const data = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  // As root the server must be told to stay root (there is no other user owning the folder).
  const asUser = [`--user=${userInfo().username}`];
  execFileSync(
    INSTALL_DB,
    ['--no-defaults', `--datadir=${data}`, ...asUser, '--auth-root-authentication-method=socket', '--skip-test-db'],
    { stdio: 'pipe' },
  );
  const server: ChildProcess = spawn(
    SERVER,
    [
      '--no-defaults',
      `--datadir=${data}`,
      `--socket=${socket}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--pid-file=${join(dir, 'mysqld.pid')}`,
      '--innodb-flush-log-at-trx-commit=0',
      ...asUser,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  server.stderr!.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
  const sql = (query: string, db?: string): string =>
    execFileSync(
      CLIENT,
      ['--no-defaults', `--socket=${socket}`, '-uroot', '-N', '-B', ...(db ? [db] : []), '-e', query],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    ).toString();
  await waitForServer(
    server,
    () => sql('SELECT 1'),
    'MariaDB',
    () => log,
    60_000,
  );
  return {
    port,
    socket,
    sql,
    stop: async () => {
      if (server.exitCode === null) {
        const exited = new Promise((r) => server.once('exit', r));
        server.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
