import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCopyCommand,
  type S3Client,
  type StorageClass,
} from '@aws-sdk/client-s3';

/** CopyObject refuses sources over 5 GiB; bigger objects are copied part by part. */
export const MAX_SINGLE_COPY = 5 * 1024 ** 3;
const MAX_PARTS = 10_000;
const MIN_PART = 5 * 1024 ** 2;

/** x-amz-copy-source: "bucket/key", each segment percent-encoded as UTF-8 (RFC 3986), '/' kept. */
export function encodeCopySource(bucket: string, key: string): string {
  const enc = (s: string) =>
    encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${enc(bucket)}/${key.split('/').map(enc).join('/')}`;
}

/** Inclusive byte ranges covering `size`, at most 10,000 of them, each at least 5 MiB but the last. */
export function copyPartRanges(size: number, preferredPartSize: number): Array<{ start: number; end: number }> {
  const partSize = Math.max(MIN_PART, preferredPartSize, Math.ceil(size / MAX_PARTS));
  const ranges: Array<{ start: number; end: number }> = [];
  for (let start = 0; start < size; start += partSize)
    ranges.push({ start, end: Math.min(size, start + partSize) - 1 });
  return ranges;
}

/** Runs `fn` over items with at most `limit` in flight; the first failure stops new work. */
export async function runPool<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        await fn(items[i] as T, i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
}

export interface MultipartCopyInput {
  client: S3Client;
  bucket: string;
  sourceKey: string;
  targetKey: string;
  size: number;
  partSize: number;
  concurrency: number;
  metadata: Record<string, string> | undefined;
  contentType: string | undefined;
  storageClass: string | undefined;
  /** Copy only if the source still has this ETag (the object we just wrote). */
  sourceETag?: string | undefined;
}

/** UploadPartCopy in ranges; the upload is aborted if any part fails. */
export async function multipartCopy(input: MultipartCopyInput): Promise<void> {
  const { client, bucket, targetKey } = input;
  const created = await client.send(
    new CreateMultipartUploadCommand({
      Bucket: bucket,
      Key: targetKey,
      Metadata: input.metadata,
      ContentType: input.contentType,
      StorageClass: input.storageClass as StorageClass | undefined,
    }),
  );
  const uploadId = created.UploadId;
  if (!uploadId) throw new Error('the server started a multipart copy without an upload id');
  try {
    const ranges = copyPartRanges(input.size, input.partSize);
    const parts: Array<{ PartNumber: number; ETag: string | undefined }> = [];
    await runPool(ranges, input.concurrency, async (range, i) => {
      const out = await client.send(
        new UploadPartCopyCommand({
          Bucket: bucket,
          Key: targetKey,
          UploadId: uploadId,
          PartNumber: i + 1,
          CopySource: encodeCopySource(bucket, input.sourceKey),
          CopySourceRange: `bytes=${range.start}-${range.end}`,
          CopySourceIfMatch: input.sourceETag,
        }),
      );
      parts[i] = { PartNumber: i + 1, ETag: out.CopyPartResult?.ETag };
    });
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: targetKey,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
  } catch (err) {
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: targetKey, UploadId: uploadId }))
      .catch(() => undefined);
    throw err;
  }
}
