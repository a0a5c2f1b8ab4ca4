/**
 * A command's standard output as a source of one file (restic's --stdin, Kopia's actions): a
 * database dump, `tar` of a folder. The file is produced while it is read, so it is streamed end
 * to end with its length known only at the end, and the command runs again on every backup. Its
 * stream ends only once the command has exited well: a non-zero exit, a time-out or (when marked
 * fatal) output on standard error makes the stream fail instead, so an upload aborts and no half
 * dump becomes part of a snapshot.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { StrataError } from '../../../shared/errors.js';
import { runCommand, type CommandOutcome, type CommandSpec, commandLine } from '../commands/command-run.js';
import type { ReadHandle, Source, SourceEntry, WalkItem } from './types.js';

export interface CommandSourceOptions {
  spec: CommandSpec;
  /** The file's name in the snapshot, e.g. nextcloud.sql.gz. */
  outputName: string;
  /** Compress the output with gzip on the way. */
  gzip?: boolean | undefined;
  /** Called with the command's standard error (its tail) once it exited well, for the run log. */
  onFinished?: ((outcome: CommandOutcome) => void) | undefined;
}

export class CommandSource implements Source {
  readonly kind = 'command' as const;
  readonly label: string;

  constructor(private readonly opts: CommandSourceOptions) {
    this.label = commandLine(opts.spec);
  }

  /** One file, new on every run: the command's output cannot be known unchanged without running it. */
  async *walk(): AsyncIterable<WalkItem> {
    const now = Date.now();
    yield {
      type: 'file',
      path: this.opts.outputName,
      size: 0,
      mtimeMs: now,
      identity: `run-${now}`,
      streamed: true,
      mode: 0o600,
    };
  }

  async openStream(): Promise<ReadHandle> {
    const cmd = runCommand(this.opts.spec);
    const gate = new ExitGate(cmd.finished);
    // Whoever stops reading (a cancelled run, every destination failed) stops the command too.
    gate.once('close', () => cmd.stop());
    const piped = this.opts.gzip ? pipeline(cmd.stdout, createGzip({ level: 6 }), gate) : pipeline(cmd.stdout, gate);
    piped.catch((err: unknown) => gate.destroy(err as Error));
    const done = new Promise<void>((resolve, reject) => {
      gate.once('end', resolve);
      gate.once('error', reject);
      gate.once('close', () => reject(new StrataError('cancelled', `“${this.label}” was stopped before its end`)));
    });
    done.catch(() => undefined);
    void cmd.finished.then((outcome) => this.opts.onFinished?.(outcome)).catch(() => undefined);
    return { stream: gate, unchanged: () => done };
  }

  /** The whole output in memory (a backup always streams it; this serves tests and previews). */
  async readSmall(_entry: SourceEntry): Promise<Buffer> {
    const handle = await this.openStream();
    const parts: Buffer[] = [];
    for await (const p of handle.stream as AsyncIterable<Buffer>) parts.push(p);
    await handle.unchanged();
    return Buffer.concat(parts);
  }
}

/** Passes the output through and ends only once the command exited well; otherwise fails with why. */
class ExitGate extends Transform {
  constructor(private readonly finished: Promise<unknown>) {
    super({ highWaterMark: 1 << 20 });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    this.finished.then(
      () => cb(),
      (err: unknown) => cb(err as Error),
    );
  }
}
