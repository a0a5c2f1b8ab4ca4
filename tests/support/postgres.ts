/**
 * A private PostgreSQL server for tests: its own data folder, port and socket folder, never the
 * system service. Debian's `postgresql` package provides the binaries (.ci/run installs it);
 * without them `findPostgres` says why, and the tests that need it skip saying so.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { waitForServer } from './server-ready.js';

export interface PostgresServer {
  /** Folder of the server's binaries (initdb, postgres, pg_dump, pg_restore, psql). */
  bin: string;
  socketDir: string;
  port: number;
  user: string;
  /** Runs SQL in `db` and returns psql's unaligned output. */
  sql(db: string, query: string): string;
  /** Arguments that point a client (pg_dump, pg_restore, psql) at this server. */
  connection: string[];
  stop(): Promise<void>;
}

/** The binaries' folder, or why there is none. */
export function findPostgres(): { bin: string } | { missing: string } {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const bin = join(root, v, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'postgres'))) return { bin };
  }
  return { missing: "PostgreSQL's server binaries are not installed (Debian package postgresql)" };
}

/** PostgreSQL refuses to run as root: as root, the server runs as the package's postgres user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

export async function startPostgres(bin: string, port: number): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-pg-'));
  const data = join(dir, 'data');
  const as = serverUser();
  if (as) chownSync(dir, as.uid, as.gid);
  const user = 'strata_test';
  const opts = { ...(as ? { uid: as.uid, gid: as.gid } : {}), env: { PATH: process.env.PATH, LANG: 'C.UTF-8' } };
  execFileSync(join(bin, 'initdb'), ['-D', data, '-U', user, '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], {
    ...opts,
    stdio: 'pipe',
  });
  const server: ChildProcess = spawn(
    join(bin, 'postgres'),
    ['-D', data, '-k', dir, '-p', String(port), '-c', 'listen_addresses=', '-c', 'fsync=off'],
    { ...opts, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  server.stderr!.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
  const connection = ['-h', dir, '-p', String(port), '-U', user];
  await waitForServer(
    server,
    () => execFileSync(join(bin, 'pg_isready'), [...connection, '-d', 'postgres'], { stdio: 'pipe' }),
    'PostgreSQL',
    () => log,
    30_000,
  );
  return {
    bin,
    socketDir: dir,
    port,
    user,
    connection,
    sql: (db, query) =>
      execFileSync(join(bin, 'psql'), [...connection, '-d', db, '-v', 'ON_ERROR_STOP=1', '-Atc', query], {
        stdio: ['ignore', 'pipe', 'pipe'],
      }).toString(),
    stop: async () => {
      if (server.exitCode === null) {
        const exited = new Promise((r) => server.once('exit', r));
        server.kill('SIGINT'); // fast shutdown
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
