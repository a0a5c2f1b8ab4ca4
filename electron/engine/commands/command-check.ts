import { StrataError } from '../../../shared/errors.js';
import { MAX_COMMAND_TIMEOUT_MS } from '../../../shared/command-timeout.js';
import type { CommandSourceConfig } from '../store/catalog.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A command source's settings as given by a person: each mistake said with how to fix it. */
export function checkCommandSource(
  config: Omit<CommandSourceConfig, 'kind' | 'envNames'>,
  env: Record<string, string>,
): void {
  const { argv, shell, outputName, timeoutMs } = config;
  if (argv.length === 0 || !argv[0]?.trim()) {
    throw new StrataError(
      'usage',
      'no command given',
      "give the command after '--', e.g. -- pg_dump --format=custom mydb",
    );
  }
  if (shell && argv.length !== 1) {
    throw new StrataError(
      'usage',
      'a shell command is one command line',
      'quote the whole line: --shell -- "pg_dump mydb | gzip"',
    );
  }
  if (!outputName || outputName === '.' || outputName === '..' || /[/\\]/.test(outputName) || hasControl(outputName)) {
    throw new StrataError(
      'usage',
      `'${outputName}' is not a file name`,
      'give a plain name without folders for the backed-up file, e.g. --output-name nextcloud.sql.gz',
    );
  }
  if (Buffer.byteLength(outputName) > 255) {
    throw new StrataError('usage', 'the output name is longer than 255 bytes', 'give a shorter name');
  }
  if (
    timeoutMs !== undefined &&
    !(Number.isInteger(timeoutMs) && timeoutMs > 0 && timeoutMs <= MAX_COMMAND_TIMEOUT_MS)
  ) {
    throw new StrataError('usage', `time limit ${timeoutMs} ms is out of range`, 'give between 1s and 7d');
  }
  for (const name of Object.keys(env)) {
    if (!ENV_NAME.test(name)) {
      throw new StrataError(
        'usage',
        `'${name}' is not an environment variable name`,
        'use letters, digits and _, e.g. PGPASSWORD',
      );
    }
  }
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 0x20) return true;
  return false;
}
