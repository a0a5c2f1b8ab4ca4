import { describe, expect, it } from 'vitest';
import { commandFromTemplate, EMPTY_TEMPLATE_FIELDS, templateProblems } from '../../shared/command-templates.js';

const EMPTY = EMPTY_TEMPLATE_FIELDS;

describe('command templates', () => {
  it('PostgreSQL: pg_dump custom format, the password only in PGPASSWORD', () => {
    const d = commandFromTemplate('postgres', {
      ...EMPTY,
      host: ' db.lan ',
      port: '5433',
      database: 'nextcloud',
      user: 'nc',
      password: 'pa ss',
    });
    expect(d).toEqual({
      argv: [
        'pg_dump',
        '--format=custom',
        '--host',
        'db.lan',
        '--port',
        '5433',
        '--username',
        'nc',
        '--no-password',
        'nextcloud',
      ],
      shell: false,
      outputName: 'nextcloud.dump',
      env: { PGPASSWORD: 'pa ss' },
    });
    expect(d.argv.join(' ')).not.toContain('pa ss');
    // Empty optional fields are left to the tool's defaults.
    expect(commandFromTemplate('postgres', { ...EMPTY, database: 'app' }).argv).toEqual([
      'pg_dump',
      '--format=custom',
      '--no-password',
      'app',
    ]);
  });

  it('MySQL/MariaDB: a consistent mysqldump, the password in MYSQL_PWD', () => {
    const d = commandFromTemplate('mysql', { ...EMPTY, database: 'gitea', user: 'root', password: 'x' });
    expect(d.argv).toEqual([
      'mysqldump',
      '--single-transaction',
      '--no-tablespaces',
      '--routines',
      '--triggers',
      '--user',
      'root',
      'gitea',
    ]);
    expect(d.env).toEqual({ MYSQL_PWD: 'x' });
    expect(d.outputName).toBe('gitea.sql');
  });

  it('SQLite: sqlite3 .dump of the file, named after it', () => {
    const d = commandFromTemplate('sqlite', { ...EMPTY, file: '/var/lib/gitea/data/gitea.db' });
    expect(d).toEqual({
      argv: ['sqlite3', '/var/lib/gitea/data/gitea.db', '.dump'],
      shell: false,
      outputName: 'gitea.sql',
      env: {},
    });
  });

  it('other: one command line through the shell', () => {
    expect(commandFromTemplate('custom', { ...EMPTY, commandLine: ' tar c /etc ' })).toMatchObject({
      argv: ['tar c /etc'],
      shell: true,
    });
  });

  it('names output files safely whatever the database is called', () => {
    expect(commandFromTemplate('postgres', { ...EMPTY, database: '../my db' }).outputName).toBe('_my_db.dump');
  });

  it('says what is missing', () => {
    expect(templateProblems('postgres', EMPTY)).toEqual({ database: 'Give the database to dump' });
    expect(templateProblems('mysql', { ...EMPTY, database: 'a', port: 'x' })).toEqual({
      port: 'A port is a number, e.g. 5432',
    });
    expect(templateProblems('sqlite', EMPTY)).toEqual({ file: 'Give the path of the database file' });
    expect(templateProblems('custom', EMPTY)).toEqual({ commandLine: 'Give the command to run' });
    expect(templateProblems('postgres', { ...EMPTY, database: 'a' })).toEqual({});
  });
});
