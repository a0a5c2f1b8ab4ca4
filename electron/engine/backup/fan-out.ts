import { PassThrough } from 'node:stream';
import type { Source, SourceEntry } from '../sources/types.js';
import { HashingStream, sha256Hex } from '../transfer/hashing.js';

/** Files up to this size are read into memory once and sent from there; larger ones stream. */
export const SMALL_FILE_LIMIT = 8 * 1024 * 1024;

export interface FanOutTarget {
  /** Called once the content's SHA-256 is known (small files) to skip a destination that already has it. */
  wants?(sha256: string): boolean;
  sendBuffer(body: Buffer, sha256: string): Promise<void>;
  /** `size` is undefined for a streamed entry (known only at the end). */
  sendStream(
    body: PassThrough,
    size: number | undefined,
    sha256: () => string,
    onBytes: (n: number) => void,
  ): Promise<void>;
}

export interface FanOutResult {
  sha256: string;
  /** Bytes read: the size of a streamed entry. */
  bytes: number;
  /** Per target: undefined when sent (or not needed), else the error. */
  errors: (unknown | undefined)[];
  sent: boolean[];
}

/**
 * Reads a file once, hashes it once, and sends it to every target. Large files stream to all
 * targets together with backpressure: the slowest target paces the read, so memory stays
 * bounded; a target that fails is detached and drained so it cannot stall the others.
 */
export async function fanOut(
  source: Source,
  entry: SourceEntry,
  targets: FanOutTarget[],
  onBytes: (n: number) => void,
): Promise<FanOutResult> {
  if (!entry.streamed && entry.size <= SMALL_FILE_LIMIT) {
    const body = await source.readSmall(entry);
    const sha256 = sha256Hex(body);
    const sent = targets.map((t) => !t.wants || t.wants(sha256));
    const settled = await Promise.allSettled(
      targets.map(async (t, i) => {
        if (!sent[i]) return;
        await t.sendBuffer(body, sha256);
        onBytes(body.length);
      }),
    );
    const errors = settled.map((r) => (r.status === 'rejected' ? r.reason : undefined));
    return { sha256, bytes: body.length, sent, errors };
  }

  const handle = await source.openStream(entry);
  const hasher = new HashingStream({ highWaterMark: 1 << 20 });
  const branches = targets.map(() => {
    const b = new PassThrough({ highWaterMark: 1 << 20 });
    // A read can fail before a target has started on its branch (a command not found): the target
    // then sees the destroyed branch, and the reason is reported from here, not as a crash.
    b.on('error', () => undefined);
    return b;
  });
  const fail = (err: Error): void => branches.forEach((b) => b.destroy(err));
  handle.stream.on('error', (err) => hasher.destroy(err));
  hasher.on('error', fail);
  handle.stream.pipe(hasher);
  for (const b of branches) hasher.pipe(b);
  const settled = await Promise.allSettled(
    targets.map((t, i) =>
      t
        .sendStream(branches[i]!, entry.streamed ? undefined : entry.size, () => hasher.digest(), onBytes)
        .catch((err: unknown) => {
          const b = branches[i]!;
          hasher.unpipe(b);
          b.resume();
          throw err;
        }),
    ),
  );
  const errors = settled.map((r) => (r.status === 'rejected' ? r.reason : undefined));
  if (errors.every((e) => e !== undefined)) {
    // Nobody is reading any more: stop the read instead of waiting for an end that will not come.
    handle.stream.destroy();
    // A command's output ends in error when the command fails: that is the reason to report.
    const own = entry.streamed
      ? await handle.unchanged().then(
          () => undefined,
          (err: unknown) => err,
        )
      : undefined;
    const reported = own ? targets.map(() => own) : errors;
    return { sha256: '', bytes: hasher.bytes, sent: targets.map(() => false), errors: reported };
  }
  let sha256 = '';
  try {
    await handle.unchanged();
    sha256 = hasher.digest();
  } catch (err) {
    return { sha256: '', bytes: hasher.bytes, sent: targets.map(() => false), errors: targets.map(() => err) };
  }
  return { sha256, bytes: hasher.bytes, sent: targets.map(() => true), errors };
}
