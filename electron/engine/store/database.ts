import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { StrataError } from '../../../shared/errors.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

/** Opens (creating if needed) the status database in WAL mode and brings its schema up to date. */
export function openDatabase(file: string, opts: { nativeBinding?: string | undefined } = {}): Db {
  mkdirSync(dirname(file), { recursive: true });
  let db: Db;
  try {
    // The desktop app passes a build of the native module for Electron's ABI; Node uses the default.
    db = new Database(file, opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {});
  } catch (err) {
    throw new StrataError(
      'io',
      `cannot open the status database at ${file}`,
      'check the folder is writable (STRATA_HOME chooses it); the database is a cache and may be deleted',
      { cause: err },
    );
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new StrataError(
      'format-too-new',
      `the status database is at schema ${current}, newer than this Strata understands (${MIGRATIONS.length})`,
      'upgrade Strata, or delete the database (it is a cache; backups stay on the destinations)',
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
