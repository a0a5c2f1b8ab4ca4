/**
 * A vault's manifests are sealed in segments, so neither writing nor reading one holds the whole
 * snapshot in memory (a million files make a manifest of a hundred MB or more):
 *
 *   "SMS1" | frame… ; frame = u32 BE sealed length | codec.encode(segment, 'manifest', context)
 *
 * Segments are SEGMENT_BYTES of the manifest's (gzip) bytes; segment i is sealed with context
 * `<key>#<i>`, the last one with `<key>#<i>#last`. So a frame cannot be moved, dropped,
 * duplicated or taken from another manifest, and a manifest cut after any frame lacks its last
 * one: every such change fails to open.
 *
 * Manifests written before segmenting (one object sealed whole: they start with the codec's
 * version byte, never with the magic) are still read.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { StrataError } from '../../../shared/errors.js';
import type { BlobCodec } from './codec.js';

export const SEGMENT_BYTES = 4 * 1024 * 1024;
const MAGIC = Buffer.from('SMS1', 'latin1');
/** A sealed segment is its plaintext plus a few dozen bytes; anything far larger is not ours. */
const MAX_FRAME = SEGMENT_BYTES + 64 * 1024;

const contextOf = (key: string, i: number, last: boolean): string => `${key}#${i}${last ? '#last' : ''}`;

/** Seals a manifest's bytes as they stream; the output is the stored object. */
export class ManifestSealer extends Transform {
  private held: Buffer[] = [];
  private heldBytes = 0;
  private full: Buffer | undefined;
  private index = 0;

  constructor(
    private readonly codec: BlobCodec,
    private readonly key: string,
  ) {
    super();
    this.push(MAGIC);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      let at = 0;
      while (at < chunk.length) {
        const take = Math.min(SEGMENT_BYTES - this.heldBytes, chunk.length - at);
        this.held.push(chunk.subarray(at, at + take));
        this.heldBytes += take;
        at += take;
        if (this.heldBytes === SEGMENT_BYTES) {
          // Held back one segment: only the end of the input says which segment is the last.
          if (this.full) this.frame(this.full, false);
          this.full = Buffer.concat(this.held);
          this.held = [];
          this.heldBytes = 0;
        }
      }
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      if (this.heldBytes === 0 && this.full) this.frame(this.full, true);
      else {
        if (this.full) this.frame(this.full, false);
        this.frame(Buffer.concat(this.held), true);
      }
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  private frame(segment: Buffer, last: boolean): void {
    const sealed = this.codec.encode(segment, 'manifest', contextOf(this.key, this.index++, last));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(sealed.length);
    this.push(length);
    this.push(sealed);
  }
}

/** The stored form of a manifest held in memory (small ones). */
export function sealManifest(codec: BlobCodec, key: string, plain: Buffer): Buffer {
  const parts: Buffer[] = [MAGIC];
  const count = Math.max(1, Math.ceil(plain.length / SEGMENT_BYTES));
  for (let i = 0; i < count; i++) {
    const sealed = codec.encode(
      plain.subarray(i * SEGMENT_BYTES, (i + 1) * SEGMENT_BYTES),
      'manifest',
      contextOf(key, i, i === count - 1),
    );
    const length = Buffer.alloc(4);
    length.writeUInt32BE(sealed.length);
    parts.push(length, sealed);
  }
  return Buffer.concat(parts);
}

/** Opens a stored manifest as it streams; fails (StrataError 'corrupt') on any change to it. */
export class ManifestOpener extends Transform {
  /** Bytes received and not yet used, kept as they came. */
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** Length of the frame being gathered, once its length prefix is read. */
  private need: number | undefined;
  private state: 'magic' | 'frames' | 'whole' = 'magic';
  private whole: Buffer[] = [];
  private wholeBytes = 0;
  private index = 0;
  private sawLast = false;

  constructor(
    private readonly codec: BlobCodec,
    private readonly key: string,
    private readonly maxWholeBytes: number,
  ) {
    super();
  }

  private damaged(why: string): StrataError {
    return new StrataError(
      'corrupt',
      `manifest ${this.key} is damaged: ${why}`,
      'run a verify; this snapshot cannot be read, the others are unaffected',
    );
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      if (this.state === 'whole') {
        this.keepWhole(chunk);
        return done();
      }
      this.parts.push(chunk);
      this.partBytes += chunk.length;
      if (this.state === 'magic') {
        if (this.partBytes < MAGIC.length) return done();
        const head = this.consume(this.partBytes);
        if (!head.subarray(0, MAGIC.length).equals(MAGIC)) {
          // Sealed whole, before segmenting.
          this.state = 'whole';
          this.keepWhole(head);
          return done();
        }
        this.parts = [head.subarray(MAGIC.length)];
        this.partBytes = head.length - MAGIC.length;
        this.state = 'frames';
      }
      // Bytes are joined only once a whole frame is there: no copying per incoming chunk.
      while (this.partBytes >= 4) {
        if (this.need === undefined) {
          const head = this.consume(4);
          this.need = head.readUInt32BE(0);
          if (this.need > MAX_FRAME) throw this.damaged(`a segment claims ${this.need} bytes`);
          if (this.sawLast) throw this.damaged('bytes follow its last segment');
        }
        if (this.partBytes < this.need) break;
        const sealed = this.consume(this.need);
        this.need = undefined;
        this.push(this.open(sealed));
      }
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  /** The first n pending bytes, removed from the pending parts. */
  private consume(n: number): Buffer {
    const all = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partBytes);
    this.parts = all.length > n ? [all.subarray(n)] : [];
    this.partBytes = all.length - n;
    return all.subarray(0, n);
  }

  override _flush(done: TransformCallback): void {
    try {
      if (this.state === 'whole') {
        this.push(this.decode(Buffer.concat(this.whole), this.key));
      } else if (!this.sawLast || this.partBytes || this.need !== undefined) {
        throw this.damaged(this.state === 'magic' ? 'it is empty' : 'it is cut short');
      }
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  /** A segment is the last one exactly when it opens with the last context. */
  private open(sealed: Buffer): Buffer {
    const i = this.index++;
    try {
      const plain = this.codec.decode(sealed, 'manifest', contextOf(this.key, i, false));
      return plain;
    } catch (err) {
      if (err instanceof StrataError && err.code !== 'corrupt') throw err;
      const plain = this.decode(sealed, contextOf(this.key, i, true));
      this.sawLast = true;
      return plain;
    }
  }

  private decode(sealed: Buffer, context: string): Buffer {
    try {
      return this.codec.decode(sealed, 'manifest', context);
    } catch (err) {
      if (err instanceof StrataError && err.code !== 'corrupt') throw err;
      throw this.damaged(err instanceof Error ? err.message : String(err));
    }
  }

  private keepWhole(chunk: Buffer): void {
    this.wholeBytes += chunk.length;
    if (this.wholeBytes > this.maxWholeBytes) throw this.damaged(`it is larger than ${this.maxWholeBytes} bytes`);
    this.whole.push(chunk);
  }
}
