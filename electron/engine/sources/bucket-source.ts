/**
 * An S3-compatible bucket (an R2 or S3 primary) as a backup source: its keys under the prefix
 * are the files, '/' makes the folders. A version is known by its ETag, so an object rewritten
 * with the same size and a coarse LastModified is still seen as changed; every read asks for
 * exactly the version that was listed (If-Match), so content never mixes two versions.
 */
import { Readable } from 'node:stream';
import { isSafeRelativePath, parentOf } from '../../../shared/paths.js';
import type { Destination } from '../destinations/types.js';
import { readAllChecked } from './read-handle.js';
import type { ReadHandle, Source, SourceEntry, WalkItem, WalkOptions } from './types.js';
import type { ShallowLister } from '../browse/folder-reader.js';

/** What of an S3 destination this reads with (list, open with If-Match, one level for the tree). */
export type ObjectReader = Pick<Destination, 'list' | 'open' | 'label' | 'close'> & ShallowLister;

export class BucketSource implements Source {
  readonly kind = 'bucket' as const;
  readonly label: string;

  constructor(private readonly reader: ObjectReader) {
    this.label = reader.label;
  }

  async *walk(opts: WalkOptions = {}): AsyncIterable<WalkItem> {
    const seenDirs = new Set<string>(['']);
    const skipped: string[] = [];
    yield { type: 'dir', path: '', size: 0, mtimeMs: 0 };
    for await (const o of this.reader.list('')) {
      const path = o.key;
      if (!isSafeRelativePath(path)) {
        yield {
          type: 'error',
          path: path.replace(/\/{2,}/g, '/').replace(/^\/|\/$/g, '') || '(empty key)',
          error: `the key '${path}' cannot be restored as a file path (empty, '.' or '..' segments); rename it in the bucket`,
        };
        continue;
      }
      if (skipped.some((d) => path.startsWith(`${d}/`))) continue;
      // Folders come before the first key inside them (keys are listed in byte order).
      const missing: string[] = [];
      for (let d = parentOf(path); d !== '' && !seenDirs.has(d); d = parentOf(d)) missing.unshift(d);
      let excluded = false;
      for (const d of missing) {
        seenDirs.add(d);
        if (opts.isExcluded?.(d, true)) {
          skipped.push(d);
          excluded = true;
          break;
        }
        yield { type: 'dir', path: d, size: 0, mtimeMs: o.lastModified?.getTime() ?? 0 };
      }
      if (excluded || opts.isExcluded?.(path, false)) continue;
      yield {
        type: 'file',
        path,
        size: o.size,
        mtimeMs: o.lastModified?.getTime() ?? 0,
        identity: o.etag,
      };
    }
  }

  async readSmall(entry: SourceEntry): Promise<Buffer> {
    return readAllChecked(await this.openStream(entry));
  }

  async openStream(entry: SourceEntry): Promise<ReadHandle> {
    const { body, info } = await this.reader.open(entry.path, { ifMatch: entry.identity });
    // The listing does not carry them; the read does, and the snapshot keeps them with the entry.
    entry.details = {
      ...(info.contentType ? { contentType: info.contentType } : {}),
      ...(info.metadata && Object.keys(info.metadata).length ? { metadata: info.metadata } : {}),
    };
    let ended: () => void = () => undefined;
    let failed: (err: unknown) => void = () => undefined;
    const done = new Promise<void>((resolve, reject) => {
      ended = resolve;
      failed = reject;
    });
    body.once('end', () => ended());
    body.once('error', (err) => failed(err));
    done.catch(() => undefined);
    return { stream: body instanceof Readable ? body : Readable.from(body), unchanged: () => done };
  }

  /** For the folder tree. */
  get lister(): ShallowLister {
    return this.reader;
  }

  close(): Promise<void> {
    return this.reader.close();
  }
}
