import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { commandLine, describeCommand, runCommand } from '../../electron/engine/commands/command-run.js';
import { formatTimeout, parseTimeout } from '../../shared/command-timeout.js';
import { StrataError } from '../../shared/errors.js';

async function drain(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of stream) parts.push(p as Buffer);
  return Buffer.concat(parts);
}

async function failure(p: Promise<unknown>): Promise<StrataError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(StrataError);
    return err as StrataError;
  }
  throw new Error('expected a failure');
}

describe('runCommand', () => {
  it('streams standard output with backpressure and resolves on exit 0', async () => {
    // 64 MiB through a pipe: far more than any pipe buffer, so the reader paces the writer.
    const cmd = runCommand({ argv: ['head', '-c', String(64 * 1024 * 1024), '/dev/zero'] });
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const part of cmd.stdout) {
      hash.update(part as Buffer);
      bytes += (part as Buffer).length;
    }
    const outcome = await cmd.finished;
    expect(bytes).toBe(64 * 1024 * 1024);
    expect(hash.digest('hex')).toBe(
      createHash('sha256')
        .update(Buffer.alloc(64 * 1024 * 1024))
        .digest('hex'),
    );
    expect(outcome.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('passes argv without a shell: metacharacters stay literal', async () => {
    const cmd = runCommand({ argv: ['printf', '%s', '$HOME; rm -rf / `x` | y'] });
    expect((await drain(cmd.stdout)).toString()).toBe('$HOME; rm -rf / `x` | y');
    await cmd.finished;
  });

  it('runs a command line through the shell when asked', async () => {
    const cmd = runCommand({ argv: ['printf abc | tr a-c x-z'], shell: true });
    expect((await drain(cmd.stdout)).toString()).toBe('xyz');
    await cmd.finished;
  });

  it('adds environment variables (secrets) without showing them in errors', async () => {
    const ok = runCommand({ argv: ['sh', '-c', 'printf %s "$PGPASSWORD"'], env: { PGPASSWORD: 's3cret-value' } });
    expect((await drain(ok.stdout)).toString()).toBe('s3cret-value');
    await ok.finished;
    const bad = runCommand({ argv: ['sh', '-c', 'exit 3'], env: { PGPASSWORD: 's3cret-value' } });
    await drain(bad.stdout);
    const err = await failure(bad.finished);
    expect(err.message).not.toContain('s3cret-value');
  });

  it("never passes on Strata's own variables (secrets such as STRATA_PASSPHRASE)", async () => {
    process.env.STRATA_PASSPHRASE = 'strata-own-secret';
    try {
      const cmd = runCommand({ argv: ['env'], env: { STRATA_SOURCE: 'given' } });
      const out = (await drain(cmd.stdout)).toString();
      await cmd.finished;
      expect(out).not.toContain('strata-own-secret');
      expect(out).toContain('STRATA_SOURCE=given');
      expect(out).toMatch(/^PATH=/m);
    } finally {
      delete process.env.STRATA_PASSPHRASE;
    }
  });

  it('fails on a non-zero exit with the tail of standard error and what to do', async () => {
    const cmd = runCommand({
      argv: [
        'sh',
        '-c',
        'echo partial; echo "line 1" >&2; echo "pg_dump: error: database \\"nope\\" does not exist" >&2; exit 1',
      ],
    });
    expect((await drain(cmd.stdout)).toString()).toBe('partial\n');
    const err = await failure(cmd.finished);
    expect(err.code).toBe('command-failed');
    expect(err.message).toMatch(
      /^command “sh -c .*” exited with code 1: line 1 \| pg_dump: error: database "nope" does not exist$/,
    );
    expect(err.hint).toMatch(/previous snapshot stays the latest/);
  });

  it('treats output on standard error as fatal only when asked', async () => {
    const warn = (stderrFatal: boolean) =>
      runCommand({ argv: ['sh', '-c', 'echo data; echo "warning: something" >&2'], stderrFatal });
    const lenient = warn(false);
    await drain(lenient.stdout);
    expect((await lenient.finished).stderr).toBe('warning: something\n');
    const strict = warn(true);
    await drain(strict.stdout);
    const err = await failure(strict.finished);
    expect(err.code).toBe('command-failed');
    expect(err.message).toMatch(/wrote to standard error: warning: something$/);
  });

  it('stops a command past its time limit', async () => {
    const started = Date.now();
    const cmd = runCommand({ argv: ['sleep', '30'], timeoutMs: 300 });
    await drain(cmd.stdout);
    const err = await failure(cmd.finished);
    expect(err.code).toBe('timeout');
    expect(err.message).toBe('command “sleep 30” ran longer than its time limit of 300ms and was stopped');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('says when the program does not exist', async () => {
    const cmd = runCommand({ argv: ['strata-no-such-program-xyz', '--help'] });
    await drain(cmd.stdout);
    const err = await failure(cmd.finished);
    expect(err.code).toBe('not-found');
    expect(err.message).toBe('command “strata-no-such-program-xyz” was not found');
    expect(err.hint).toMatch(/full path/);
  });

  it('feeds standard input (a restore piped into a command) and can be stopped', async () => {
    const cmd = runCommand({
      argv: ['sha256sum'],
      stdin: Readable.from([Buffer.from('hello '), Buffer.from('world')]),
    });
    const out = (await drain(cmd.stdout)).toString();
    await cmd.finished;
    expect(out.split(' ')[0]).toBe(createHash('sha256').update('hello world').digest('hex'));

    const long = runCommand({ argv: ['sleep', '30'] });
    long.stop();
    expect((await failure(long.finished)).code).toBe('cancelled');
  });

  it('refuses an empty command', () => {
    expect(() => runCommand({ argv: [] })).toThrow(/no command given/);
  });

  it('names commands the way a shell would read them back', () => {
    expect(commandLine({ argv: ['pg_dump', '--format=custom', 'my db'] })).toBe("pg_dump --format=custom 'my db'");
    expect(commandLine({ argv: ['echo', "it's"] })).toBe("echo 'it'\\''s'");
    expect(commandLine({ argv: ['tar c . | gzip'], shell: true })).toBe('tar c . | gzip');
    expect(describeCommand({ argv: ['tar c . | gzip'], shell: true })).toBe('“tar c . | gzip”');
  });
});

describe('parseTimeout', () => {
  it('reads seconds, minutes, hours, days and combinations', () => {
    expect(parseTimeout('90s')).toBe(90_000);
    expect(parseTimeout('45m')).toBe(45 * 60_000);
    expect(parseTimeout('2h')).toBe(2 * 3_600_000);
    expect(parseTimeout('1h30m')).toBe(90 * 60_000);
    expect(parseTimeout('1h 30m')).toBe(90 * 60_000);
    expect(parseTimeout(' 1D ')).toBe(86_400_000);
    expect(formatTimeout(parseTimeout('1h30m'))).toBe('1h30m');
    expect(formatTimeout(7_200_000)).toBe('2h');
  });

  it('rejects anything else with the accepted forms', () => {
    for (const bad of ['', '2', 'h', '2 hours', '-1h', '0s', '1h30', '1.5h']) {
      const err = (() => {
        try {
          parseTimeout(bad);
        } catch (e) {
          return e as StrataError;
        }
        return undefined;
      })();
      expect(err?.code, bad).toBe('usage');
      expect(err?.hint, bad).toBe('give a number with a unit: 90s, 45m, 2h, 1h30m or 1d');
    }
    expect(() => parseTimeout('8d')).toThrow(/longer than 7 days/);
  });
});
