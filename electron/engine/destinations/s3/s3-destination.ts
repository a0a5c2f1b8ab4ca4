import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type S3Client,
  type StorageClass,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { StrataError, describeError } from '../../../../shared/errors.js';
import type { S3Credentials, S3DestinationConfig } from '../config.js';
import {
  checkRange,
  type Destination,
  type HeadOptions,
  type ObjectAttributes,
  type ObjectInfo,
  type OpenOptions,
  type ProbeStep,
  type PutStreamOptions,
} from '../types.js';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_QUEUE_SIZE,
  asksForContentMd5,
  createS3Client,
  type Md5Policy,
  retryPolicy,
  type RetryPolicy,
  type S3ClientTuning,
} from './client.js';
import { httpStatus, mapS3Error, s3ErrorCode, type S3ErrorContext } from './errors.js';
import { MAX_SINGLE_COPY, encodeCopySource, multipartCopy, runPool } from './multipart-copy.js';
import { resolveS3Settings, type ResolvedS3Settings } from './presets.js';
import { resumableRead } from './resumable-read.js';

export interface S3DestinationOptions extends S3ClientTuning {
  /** Keys per DeleteObjects request (S3 allows 1000). */
  deleteBatchSize?: number;
  /** Keys per ListObjectsV2 page (S3 allows 1000). */
  listPageSize?: number;
  /** Above this size a copy goes through UploadPartCopy. Default 5 GiB. */
  multipartCopyThreshold?: number;
  /** Preferred UploadPartCopy range. Default 512 MiB. */
  copyPartSize?: number;
}

const MIB = 1024 * 1024;
const MIN_PART_SIZE = 8 * MIB;
const CONTENT_TYPE = 'application/octet-stream';
const PROBE_FOLDER = '.strata-probe';

/**
 * Parts of a body whose length is known only at its end (a command's output): 10,000 of them hold
 * 625 GiB. Equal-sized, as R2 requires of every part but the last.
 */
export const UNKNOWN_LENGTH_PART_SIZE = 64 * MIB;

/** max(8 MiB, size / 9000): stays well under S3's 10,000-part limit whatever the size. */
export function partSizeFor(size: number): number {
  return Math.max(MIN_PART_SIZE, Math.ceil(size / 9000));
}

function changedWhileReading(expected: number, got: number, more: boolean): StrataError {
  return new StrataError(
    'changed-while-reading',
    `the data changed while it was read: expected ${expected} bytes, got ${more ? 'more than ' : ''}${got}`,
    'run the backup again once the file is no longer being written',
  );
}

/** Passes the body through, failing it if it is not exactly `size` bytes (lib-storage would only count parts). */
function exactly(body: Readable, size: number): Readable {
  async function* guarded(): AsyncGenerator<Buffer> {
    let total = 0;
    for await (const chunk of body) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      total += buf.length;
      if (total > size) throw changedWhileReading(size, size, true);
      yield buf;
    }
    if (total !== size) throw changedWhileReading(size, total, false);
  }
  return Readable.from(guarded(), { objectMode: false });
}

/** Reads a body of at most one part into memory. */
async function readExactly(body: Readable, size: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of exactly(body, size)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks, size);
}

/** The body without its first `n` bytes. */
function skipBytes(body: Readable, n: number): Readable {
  async function* rest(): AsyncGenerator<Buffer> {
    let left = n;
    for await (const chunk of body) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      if (left >= buf.length) left -= buf.length;
      else {
        yield left ? buf.subarray(left) : buf;
        left = 0;
      }
    }
  }
  return Readable.from(rest(), { objectMode: false });
}

function isNotImplemented(err: unknown): boolean {
  const code = s3ErrorCode(err);
  const status = httpStatus(err);
  return code === 'NotImplemented' || code === 'MethodNotAllowed' || status === 501 || status === 405;
}

function isCopySourceTooLarge(err: unknown): boolean {
  const code = s3ErrorCode(err);
  const message = (err as { message?: string }).message ?? '';
  return (
    code === 'EntityTooLarge' ||
    (code === 'InvalidRequest' && /larger than the maximum|too large|5368709120/i.test(message))
  );
}

/** An S3-compatible bucket (AWS, R2, B2, Wasabi, MinIO, other) rooted at the configured prefix. */
export class S3Destination implements Destination {
  readonly kind = 's3' as const;
  readonly label: string;
  readonly concurrency: number;
  readonly settings: ResolvedS3Settings;
  private readonly client: S3Client;
  private readonly policy: RetryPolicy;
  private readonly errorContext: S3ErrorContext;
  private readonly queueSize: number;
  private readonly deleteBatchSize: number;
  private readonly listPageSize: number;
  private readonly copyThreshold: number;
  private readonly copyPartSize: number;
  /** Set once the server answered NotImplemented to DeleteObjects. */
  private singleDeletes = false;

  constructor(config: S3DestinationConfig, credentials: S3Credentials, options: S3DestinationOptions = {}) {
    this.settings = resolveS3Settings(config);
    if (!credentials.accessKeyId) throw new StrataError('auth', 'no access key id given', 'pass --access-key-id ID');
    if (!credentials.secretAccessKey) {
      throw new StrataError('auth', 'no secret access key given', 'set STRATA_SECRET_ACCESS_KEY or answer the prompt');
    }
    const { bucket, prefix } = this.settings;
    this.label = prefix ? `${bucket}/${prefix}` : bucket;
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    this.queueSize = options.multipartQueueSize ?? DEFAULT_QUEUE_SIZE;
    this.deleteBatchSize = Math.min(1000, options.deleteBatchSize ?? 1000);
    this.listPageSize = Math.min(1000, options.listPageSize ?? 1000);
    this.copyThreshold = Math.min(MAX_SINGLE_COPY, options.multipartCopyThreshold ?? MAX_SINGLE_COPY);
    this.copyPartSize = options.copyPartSize ?? 512 * MIB;
    this.policy = retryPolicy(options);
    this.client = createS3Client(this.settings, credentials, {
      ...options,
      md5Policy: this.md5Policy,
      concurrency: this.concurrency,
      multipartQueueSize: this.queueSize,
    });
    this.errorContext = {
      preset: this.settings.preset,
      bucket,
      region: this.settings.region,
      endpoint: this.settings.endpoint,
      redact: [credentials.secretAccessKey],
    };
  }

  private get bucket(): string {
    return this.settings.bucket;
  }

  private get base(): string {
    return this.settings.prefix ? `${this.settings.prefix}/` : '';
  }

  private full(key: string): string {
    if (!key || key.startsWith('/')) throw new StrataError('internal', `invalid object key "${key}"`);
    return this.base + key;
  }

  private readonly md5Policy: Md5Policy = { onUploads: false };

  private fail(err: unknown, action: string): unknown {
    return mapS3Error(err, { ...this.errorContext, action });
  }

  private get storageClass(): StorageClass | undefined {
    return this.settings.storageClass as StorageClass | undefined;
  }

  async putBuffer(key: string, body: Buffer, sha256: string | undefined, attributes?: ObjectAttributes): Promise<void> {
    const Key = this.full(key);
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key,
          Body: body,
          ContentLength: body.length,
          ContentType: attributes ? (attributes.contentType ?? CONTENT_TYPE) : CONTENT_TYPE,
          Metadata: attributes ? (attributes.metadata ?? {}) : sha256 ? { sha256 } : {},
          StorageClass: this.storageClass,
        }),
      );
    } catch (err) {
      if (!this.md5Policy.onUploads && this.settings.preset.contentMd5 && asksForContentMd5(err)) {
        this.md5Policy.onUploads = true;
        return this.putBuffer(key, body, sha256, attributes);
      }
      throw this.fail(err, `write "${key}"`);
    }
  }

  async putStream(key: string, body: Readable, opts: PutStreamOptions): Promise<void> {
    if (opts.size === undefined) return this.putOfUnknownLength(key, body, opts);
    const partSize = partSizeFor(opts.size);
    if (opts.size <= partSize) {
      // One part: buffer it (bounded by the part size) so the late hash is known before the PUT.
      const buf = await readExactly(body, opts.size);
      await this.putBuffer(key, buf, typeof opts.sha256 === 'function' ? opts.sha256() : opts.sha256, opts.attributes);
      opts.onProgress?.(buf.length);
      return;
    }
    await this.putMultipart(key, body, opts, partSize);
  }

  /**
   * Up to one part is read first: a shorter body is one PUT with its hash, a longer one a multipart
   * upload whose hash is recorded once the body ended. At most two parts are buffered at once.
   */
  private async putOfUnknownLength(key: string, body: Readable, opts: PutStreamOptions): Promise<void> {
    const reader = body[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
    const head: Buffer[] = [];
    let headBytes = 0;
    while (headBytes <= UNKNOWN_LENGTH_PART_SIZE) {
      const next = await reader.next();
      if (next.done) {
        const buf = Buffer.concat(head, headBytes);
        const sha = typeof opts.sha256 === 'function' ? opts.sha256() : opts.sha256;
        await this.putBuffer(key, buf, sha, opts.attributes);
        opts.onProgress?.(buf.length);
        return;
      }
      head.push(Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength));
      headBytes += next.value.byteLength;
    }
    let total = 0;
    async function* whole(): AsyncGenerator<Buffer> {
      for (const b of head.splice(0)) {
        total += b.length;
        yield b;
      }
      for (let next = await reader.next(); !next.done; next = await reader.next()) {
        total += next.value.byteLength;
        yield Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
      }
    }
    const counted = Readable.from(whole(), { objectMode: false });
    await this.putMultipart(key, counted, { ...opts, size: undefined }, UNKNOWN_LENGTH_PART_SIZE, () => total);
  }

  private async putMultipart(
    key: string,
    body: Readable,
    opts: PutStreamOptions,
    partSize: number,
    lengthAtEnd?: () => number,
  ): Promise<void> {
    const Key = this.full(key);
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key,
        Body: opts.size === undefined ? body : exactly(body, opts.size),
        ContentLength: opts.size,
        ContentType: opts.attributes ? (opts.attributes.contentType ?? CONTENT_TYPE) : CONTENT_TYPE,
        StorageClass: this.storageClass,
        Metadata: opts.attributes
          ? (opts.attributes.metadata ?? {})
          : typeof opts.sha256 === 'string'
            ? { sha256: opts.sha256 }
            : undefined,
      },
      partSize,
      queueSize: opts.size === undefined ? Math.min(this.queueSize, 2) : this.queueSize,
      // We abort ourselves: lib-storage's own abort replaces the original error when the abort fails too.
      leavePartsOnError: true,
    });
    let reported = 0;
    upload.on('httpUploadProgress', (p) => {
      const loaded = p.loaded ?? 0;
      if (loaded > reported) {
        opts.onProgress?.(loaded - reported);
        reported = loaded;
      }
    });
    let etag: string | undefined;
    try {
      etag = (await upload.done()).ETag;
    } catch (err) {
      // Stop reading: a fan-out tee must not wait on a branch nobody consumes any more.
      body.destroy();
      if (upload.uploadId) await this.abortUpload(Key, upload.uploadId);
      throw this.fail(err, `write "${key}"`);
    }
    const size = opts.size ?? lengthAtEnd?.() ?? 0;
    if (typeof opts.sha256 === 'function') await this.setSha256(key, opts.sha256(), size, etag);
  }

  /** Metadata is fixed when a multipart upload starts, before the hash is known: rewrite it in place. */
  private async setSha256(key: string, sha256: string, size: number, etag: string | undefined): Promise<void> {
    const Key = this.full(key);
    try {
      if (size > this.copyThreshold) {
        await this.copyInParts(Key, Key, size, { sha256 }, CONTENT_TYPE, etag);
        return;
      }
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key,
          CopySource: encodeCopySource(this.bucket, Key),
          CopySourceIfMatch: etag,
          MetadataDirective: 'REPLACE',
          Metadata: { sha256 },
          ContentType: CONTENT_TYPE,
          StorageClass: this.storageClass,
        }),
      );
    } catch (err) {
      throw this.fail(err, `record the SHA-256 of "${key}"`);
    }
  }

  private copyInParts(
    sourceKey: string,
    targetKey: string,
    size: number,
    metadata: Record<string, string> | undefined,
    contentType: string | undefined,
    sourceETag?: string,
  ): Promise<void> {
    return multipartCopy({
      client: this.client,
      bucket: this.bucket,
      sourceKey,
      targetKey,
      size,
      partSize: this.copyPartSize,
      concurrency: this.queueSize,
      metadata,
      contentType,
      storageClass: this.settings.storageClass,
      sourceETag,
    });
  }

  private async abortUpload(Key: string, UploadId: string): Promise<void> {
    // Best effort: a leftover upload is removed by the next sweep.
    await this.client
      .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId }))
      .catch(() => undefined);
  }

  async get(key: string): Promise<Readable> {
    return (await this.open(key)).body;
  }

  async open(key: string, opts: OpenOptions = {}): Promise<{ body: Readable; info: ObjectInfo }> {
    const Key = this.full(key);
    const action = `read "${key}"`;
    const open = async (offset: number, etag?: string) => {
      try {
        return await this.client.send(
          new GetObjectCommand({
            Bucket: this.bucket,
            Key,
            Range: offset > 0 ? `bytes=${offset}-` : undefined,
            IfMatch: etag,
          }),
        );
      } catch (err) {
        if (opts.ifMatch && httpStatus(err) === 412) throw changedSinceListed(key);
        throw this.fail(err, action);
      }
    };
    const first = await open(0, opts.ifMatch);
    const body = resumableRead({
      body: first.Body as Readable,
      size: first.ContentLength,
      reopen: async (offset) => (await open(offset, first.ETag)).Body as Readable,
      policy: this.policy,
      mapError: (err) => this.fail(err, action),
    });
    const info: ObjectInfo = {
      key,
      size: first.ContentLength ?? 0,
      sha256: first.Metadata?.['sha256'],
      lastModified: first.LastModified,
      etag: first.ETag,
      contentType: first.ContentType,
      metadata: first.Metadata,
    };
    return { body, info };
  }

  async getRange(key: string, start: number, end: number, into?: Buffer): Promise<Buffer> {
    const want = checkRange(key, start, end);
    if (want === 0) {
      // "bytes=5-4" is no valid Range; the object must still exist, like any other read.
      if (!(await this.head(key))) {
        throw new StrataError('not-found', `not found: could not read "${key}"`, 'the object is not in the bucket');
      }
      return Buffer.alloc(0);
    }
    const Key = this.full(key);
    const action = `read bytes ${start}-${end - 1} of "${key}"`;
    /** The body from `from` on; empty when the object ends before `from` (416). */
    const request = async (
      from: number,
      etag?: string,
    ): Promise<{ body: Readable; size: number | undefined; etag?: string | undefined }> => {
      let out: GetObjectCommandOutput;
      try {
        out = await this.client.send(
          new GetObjectCommand({ Bucket: this.bucket, Key, Range: `bytes=${from}-${end - 1}`, IfMatch: etag }),
        );
      } catch (err) {
        if (httpStatus(err) === 416) return { body: Readable.from([]), size: 0 };
        if (etag && httpStatus(err) === 412) throw changedSinceListed(key);
        throw this.fail(err, action);
      }
      const body = out.Body as Readable;
      // A server may ignore Range (200, the whole object) or answer a wider one (s3rver sends the
      // whole object for bytes=0-0): skip to `from`; reading stops at `end` below.
      const servedFrom = out.ContentRange ? Number(/^bytes (\d+)-/.exec(out.ContentRange)?.[1]) : 0;
      if (!(servedFrom <= from)) {
        body.destroy();
        throw new StrataError(
          'io',
          `${this.settings.preset.displayName} answered a read of "${key}" from byte ${from} with bytes from ${out.ContentRange}`,
          'the server or a proxy in between mishandles ranged reads: check the endpoint',
        );
      }
      const skip = from - servedFrom;
      const size = out.ContentLength === undefined ? undefined : out.ContentLength - skip;
      return { body: skip ? skipBytes(body, skip) : body, size, etag: out.ETag };
    };
    const first = await request(start);
    if (first.size !== undefined && first.size <= 0) {
      first.body.destroy();
      return Buffer.alloc(0);
    }
    const body = resumableRead({
      body: first.body,
      size: first.size,
      // Pinned to the version first read, so a replaced object cannot splice two versions.
      reopen: async (offset) => (await request(start + offset, first.etag)).body,
      policy: this.policy,
      mapError: (err) => this.fail(err, action),
    });
    // Into the caller's buffer when it has one (reused memory), else joined once at the end.
    const target = into && into.length >= want ? into : undefined;
    const chunks: Buffer[] = [];
    let got = 0;
    for await (const chunk of body) {
      const buf = chunk as Buffer;
      const part = got + buf.length > want ? buf.subarray(0, want - got) : buf;
      if (target) part.copy(target, got);
      else chunks.push(part);
      got += part.length;
      if (got === want) break; // leaving the loop destroys the body: whatever the server sent past `end` is dropped
    }
    return target ? target.subarray(0, got) : Buffer.concat(chunks, got);
  }

  async head(key: string, _opts?: HeadOptions): Promise<ObjectInfo | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.full(key) }));
      return { key, size: out.ContentLength ?? 0, sha256: out.Metadata?.['sha256'], lastModified: out.LastModified };
    } catch (err) {
      if (httpStatus(err) === 404) return undefined;
      throw this.fail(err, `look up "${key}"`);
    }
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    const source = this.full(fromKey);
    const target = this.full(toKey);
    const action = `copy "${fromKey}" to "${toKey}"`;
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: target,
          CopySource: encodeCopySource(this.bucket, source),
          MetadataDirective: 'COPY',
          StorageClass: this.storageClass,
        }),
      );
    } catch (err) {
      if (!isCopySourceTooLarge(err)) throw this.fail(err, action);
      try {
        const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: source }));
        await this.copyInParts(source, target, head.ContentLength ?? 0, head.Metadata, head.ContentType, head.ETag);
      } catch (err2) {
        throw this.fail(err2, action);
      }
    }
  }

  async delete(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += this.deleteBatchSize) {
      const batch = keys.slice(i, i + this.deleteBatchSize);
      if (!this.singleDeletes) {
        try {
          await this.deleteBatch(batch);
          continue;
        } catch (err) {
          if (!isNotImplemented(err)) throw this.fail(err, `delete ${batch.length} object(s)`);
          this.singleDeletes = true;
        }
      }
      await runPool(batch, this.concurrency, (key) => this.deleteOne(key));
    }
  }

  private async deleteBatch(keys: string[]): Promise<void> {
    const out = await this.client.send(
      new DeleteObjectsCommand({
        Bucket: this.bucket,
        Delete: { Objects: keys.map((k) => ({ Key: this.full(k) })), Quiet: true },
      }),
    );
    const failed = (out.Errors ?? []).find((e) => e.Code !== 'NoSuchKey');
    if (failed) {
      const err = Object.assign(new Error(failed.Message ?? failed.Code ?? 'delete failed'), {
        name: failed.Code ?? 'Error',
        $metadata: {},
        $fault: 'client',
      });
      throw this.fail(err, `delete "${(failed.Key ?? '').slice(this.base.length)}"`);
    }
  }

  private async deleteOne(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.full(key) }));
    } catch (err) {
      if (httpStatus(err) !== 404) throw this.fail(err, `delete "${key}"`);
    }
  }

  /** `prefix` names a folder: 'snapshots/a' lists 'snapshots/a/...' and not 'snapshots/ab'. */
  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const folder = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    for await (const page of this.pages(this.base + folder, undefined, `list "${prefix}"`)) {
      for (const o of page.Contents ?? []) {
        // Keys ending in '/' are folder markers made by bucket consoles, not content.
        if (!o.Key || o.Key.endsWith('/') || !o.Key.startsWith(this.base)) continue;
        yield { key: o.Key.slice(this.base.length), size: o.Size ?? 0, lastModified: o.LastModified, etag: o.ETag };
      }
    }
  }

  /** One level of `folder` ('' = the prefix's root): sub-folders (common prefixes) and objects. */
  async *listShallow(
    folder: string,
  ): AsyncIterable<{ name: string; folder: boolean; size?: number; lastModified?: Date }> {
    const Prefix = this.base + (folder === '' ? '' : `${folder}/`);
    for await (const page of this.pages(Prefix, '/', `list "${folder}"`)) {
      for (const p of page.CommonPrefixes ?? []) {
        const name = p.Prefix?.slice(Prefix.length).replace(/\/$/, '');
        if (name) yield { name, folder: true };
      }
      for (const o of page.Contents ?? []) {
        const name = o.Key?.slice(Prefix.length);
        if (name && !name.endsWith('/')) yield { name, folder: false, size: o.Size ?? 0, lastModified: o.LastModified };
      }
    }
  }

  /** ListObjectsV2, page after page. */
  private async *pages(
    Prefix: string,
    Delimiter: string | undefined,
    action: string,
  ): AsyncIterable<ListObjectsV2CommandOutput> {
    let token: string | undefined;
    do {
      let out: ListObjectsV2CommandOutput;
      try {
        out = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: Prefix || undefined,
            Delimiter,
            ContinuationToken: token,
            MaxKeys: this.listPageSize,
          }),
        );
      } catch (err) {
        throw this.fail(err, action);
      }
      yield out;
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }

  flush(): Promise<void> {
    // An S3 write is durable once acknowledged.
    return Promise.resolve();
  }

  async sweep(olderThan: Date): Promise<number> {
    let removed = 0;
    let KeyMarker: string | undefined;
    let UploadIdMarker: string | undefined;
    try {
      for (;;) {
        const out = await this.client.send(
          new ListMultipartUploadsCommand({
            Bucket: this.bucket,
            Prefix: this.base || undefined,
            KeyMarker,
            UploadIdMarker,
          }),
        );
        for (const u of out.Uploads ?? []) {
          if (!u.Key || !u.UploadId || !u.Initiated || u.Initiated >= olderThan) continue;
          try {
            await this.client.send(
              new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: u.Key, UploadId: u.UploadId }),
            );
            removed++;
          } catch (err) {
            if (s3ErrorCode(err) !== 'NoSuchUpload') throw err;
          }
        }
        if (!out.IsTruncated) return removed;
        KeyMarker = out.NextKeyMarker;
        UploadIdMarker = out.NextUploadIdMarker;
      }
    } catch (err) {
      // Servers without multipart listing (s3rver) have nothing we could sweep.
      if (isNotImplemented(err)) return removed;
      throw this.fail(err, 'list unfinished uploads');
    }
  }

  async probe(): Promise<ProbeStep[]> {
    const id = randomBytes(8).toString('hex');
    const key = `${PROBE_FOLDER}/${id}`;
    const body = Buffer.from(`strata probe ${id} ${new Date().toISOString()}\n`);
    const steps: ProbeStep[] = [];
    const run = async (step: ProbeStep['step'], fn: () => Promise<void>): Promise<boolean> => {
      const t0 = performance.now();
      try {
        await fn();
        steps.push({ step, ok: true, ms: Math.round(performance.now() - t0) });
        return true;
      } catch (err) {
        steps.push({ step, ok: false, ms: Math.round(performance.now() - t0), error: describeError(err) });
        return false;
      }
    };
    const written = await run('write', () =>
      this.putBuffer(key, body, createHash('sha256').update(body).digest('hex')),
    );
    const ok =
      written &&
      (await run('read', async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of await this.get(key)) chunks.push(chunk as Buffer);
        if (!Buffer.concat(chunks).equals(body)) {
          throw new StrataError(
            'integrity',
            'the probe object read back differs from what was written',
            'the server or a proxy in between alters data: check the endpoint',
          );
        }
      })) &&
      (await run('list', async () => {
        for await (const o of this.list(PROBE_FOLDER)) if (o.key === key) return;
        throw new StrataError(
          'io',
          'the probe object was written but does not appear in the listing',
          'the server lists objects inconsistently: check the endpoint and prefix',
        );
      })) &&
      (await run('delete', async () => {
        await this.delete([key]);
        if (await this.head(key))
          throw new StrataError(
            'permission',
            'the probe object is still there after deleting it',
            'give the key s3:DeleteObject on the bucket',
          );
      }));
    if (written && !ok) await this.delete([key]).catch(() => undefined);
    return steps;
  }

  close(): Promise<void> {
    this.client.destroy();
    return Promise.resolve();
  }
}

/** The object was replaced between the listing and the read: this run skips it, the next one reads the new version. */
function changedSinceListed(key: string): StrataError {
  return new StrataError(
    'changed-while-reading',
    `${key} changed while it was being read`,
    'it will be read again on the next run',
  );
}
