/**
 * The app's "Add a database or command" templates: what a person fills in (host, database, user,
 * password) turned into the command a command source runs, its output's name and the secret
 * environment (the password never appears in the command line, where `ps` would show it).
 */
export type CommandTemplateId = 'postgres' | 'mysql' | 'sqlite' | 'custom';

export interface CommandTemplateFields {
  host: string;
  port: string;
  database: string;
  user: string;
  password: string;
  /** SQLite: the database file. */
  file: string;
  /** Other: one command line for /bin/sh. */
  commandLine: string;
}

/** Every field empty: a form's start, and what the tests vary. */
export const EMPTY_TEMPLATE_FIELDS: Readonly<CommandTemplateFields> = {
  host: '',
  port: '',
  database: '',
  user: '',
  password: '',
  file: '',
  commandLine: '',
};

export interface CommandDraft {
  argv: string[];
  shell: boolean;
  outputName: string;
  env: Record<string, string>;
}

export const COMMAND_TEMPLATES: readonly { id: CommandTemplateId; label: string; help: string }[] = [
  { id: 'postgres', label: 'PostgreSQL', help: 'pg_dump in its custom format, restored with pg_restore' },
  { id: 'mysql', label: 'MySQL / MariaDB', help: 'mysqldump of one database in a single transaction' },
  { id: 'sqlite', label: 'SQLite', help: 'sqlite3 .dump of a database file, as SQL' },
  { id: 'custom', label: 'Other command', help: 'any command line; its standard output is saved' },
];

export const DEFAULT_PORTS: Partial<Record<CommandTemplateId, string>> = { postgres: '5432', mysql: '3306' };

/** What is missing before a template can run, per field ('' when complete). */
export function templateProblems(
  id: CommandTemplateId,
  f: CommandTemplateFields,
): Partial<Record<keyof CommandTemplateFields, string>> {
  const out: Partial<Record<keyof CommandTemplateFields, string>> = {};
  if (id === 'postgres' || id === 'mysql') {
    if (!f.database.trim()) out.database = 'Give the database to dump';
    if (f.port.trim() && !/^\d{1,5}$/.test(f.port.trim())) out.port = 'A port is a number, e.g. 5432';
  }
  if (id === 'sqlite' && !f.file.trim()) out.file = 'Give the path of the database file';
  if (id === 'custom' && !f.commandLine.trim()) out.commandLine = 'Give the command to run';
  return out;
}

/** The command a template runs; fields are assumed complete (see templateProblems). */
export function commandFromTemplate(id: CommandTemplateId, f: CommandTemplateFields): CommandDraft {
  const host = f.host.trim();
  const port = f.port.trim();
  const user = f.user.trim();
  const database = f.database.trim();
  const env: Record<string, string> = {};
  switch (id) {
    case 'postgres':
      if (f.password) env.PGPASSWORD = f.password;
      return {
        argv: [
          'pg_dump',
          '--format=custom',
          ...(host ? ['--host', host] : []),
          ...(port ? ['--port', port] : []),
          ...(user ? ['--username', user] : []),
          '--no-password',
          database,
        ],
        shell: false,
        outputName: `${safeName(database)}.dump`,
        env,
      };
    case 'mysql':
      // mysqldump reads MYSQL_PWD: the password stays out of the command line. --no-tablespaces:
      // MySQL 8's mysqldump otherwise needs the PROCESS privilege, which an app's user rarely has.
      if (f.password) env.MYSQL_PWD = f.password;
      return {
        argv: [
          'mysqldump',
          '--single-transaction',
          '--no-tablespaces',
          '--routines',
          '--triggers',
          ...(host ? ['--host', host] : []),
          ...(port ? ['--port', port] : []),
          ...(user ? ['--user', user] : []),
          database,
        ],
        shell: false,
        outputName: `${safeName(database)}.sql`,
        env,
      };
    case 'sqlite': {
      const file = f.file.trim();
      const base = file.split(/[\\/]/).pop() ?? 'database';
      return { argv: ['sqlite3', file, '.dump'], shell: false, outputName: `${safeName(stem(base))}.sql`, env };
    }
    case 'custom':
      return { argv: [f.commandLine.trim()], shell: true, outputName: 'output', env };
  }
}

function stem(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** A file name made of the database's name: letters, digits, dot, dash and underscore. */
function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '') || 'database';
}
