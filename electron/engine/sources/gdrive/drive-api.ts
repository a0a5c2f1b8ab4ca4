/**
 * The Drive v3 calls a backup needs, with only the fields it reads, behind one retry policy:
 * rate limits (403 userRateLimitExceeded/rateLimitExceeded, 429) and Google's 5xx are retried
 * with exponential backoff and jitter (honouring Retry-After); a used-up daily quota stops every
 * further call at once, so the rest of the run fails fast and the next run picks it up.
 */
import type { Readable } from 'node:stream';
import type { drive_v3 } from '@googleapis/drive';
import pRetry from 'p-retry';
import { driveFailure, isQuotaExhausted, isSignInLost, isTransient, quotaError, signInLost } from './drive-errors.js';
import { FOLDER_MIME } from './drive-names.js';

/** One Drive item as Strata keeps it. */
export interface DriveItem {
  id: string;
  parentId: string;
  name: string;
  mime: string;
  size: number | undefined;
  md5: string | undefined;
  version: string | undefined;
  modifiedMs: number;
  createdMs: number;
  targetId: string | undefined;
  targetMime: string | undefined;
}

export interface DriveChange {
  fileId: string;
  /** Gone from this account's view: deleted, trashed, unshared. */
  removed: boolean;
  item: DriveItem | undefined;
}

const ITEM_FIELDS =
  'id,name,mimeType,parents,size,md5Checksum,version,modifiedTime,createdTime,trashed,shortcutDetails(targetId,targetMimeType)';
const ALL_DRIVES = { supportsAllDrives: true, includeItemsFromAllDrives: true } as const;

export interface RetryPolicy {
  retries: number;
  /** First pause; each retry doubles it, times a random factor of 1-2. */
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 6, baseMs: 1000, maxMs: 64_000 };

function toItem(f: drive_v3.Schema$File): DriveItem | undefined {
  if (!f.id || f.trashed) return undefined;
  return {
    id: f.id,
    parentId: f.parents?.[0] ?? '',
    name: f.name ?? '',
    mime: f.mimeType ?? 'application/octet-stream',
    size: f.size != null ? Number(f.size) : undefined,
    md5: f.md5Checksum ?? undefined,
    version: f.version ?? undefined,
    modifiedMs: f.modifiedTime ? Date.parse(f.modifiedTime) : 0,
    createdMs: f.createdTime ? Date.parse(f.createdTime) : 0,
    targetId: f.shortcutDetails?.targetId ?? undefined,
    targetMime: f.shortcutDetails?.targetMimeType ?? undefined,
  };
}

function retryAfterMs(err: unknown): number {
  const headers = (err as { response?: { headers?: unknown } }).response?.headers as
    { get?: (n: string) => string | null } | Record<string, string> | undefined;
  const raw =
    typeof (headers as { get?: unknown } | undefined)?.get === 'function'
      ? (headers as { get: (n: string) => string | null }).get('retry-after')
      : (headers as Record<string, string> | undefined)?.['retry-after'];
  const secs = raw ? Number(raw) : NaN;
  return Number.isFinite(secs) && secs > 0 ? Math.min(secs * 1000, 120_000) : 0;
}

export class DriveApi {
  private exhausted = false;
  /** Rate-limit answers seen (for the run log). */
  retried = 0;

  private signedOut = false;

  constructor(
    private readonly drive: drive_v3.Drive,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
    private readonly sourceName = 'Google Drive',
    /** Drops the access token so the next call refreshes it. */
    private readonly refresh?: () => void,
  ) {}

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    if (this.exhausted) throw quotaError();
    if (this.signedOut) throw signInLost(this.sourceName);
    try {
      return await this.retrying(fn).catch(async (err: unknown) => {
        // A 401 with a token we believed valid: refresh once and try again before giving up.
        if (driveFailure(err).status !== 401 || !this.refresh) throw err;
        this.refresh();
        return this.retrying(fn);
      });
    } catch (err) {
      if (isQuotaExhausted(err)) {
        this.exhausted = true;
        throw quotaError();
      }
      if (isSignInLost(err)) {
        // Every further call would fail the same way: stop asking.
        this.signedOut = true;
        throw signInLost(this.sourceName);
      }
      throw err;
    }
  }

  private retrying<T>(fn: () => Promise<T>): Promise<T> {
    return pRetry(fn, {
      retries: this.retry.retries,
      factor: 2,
      minTimeout: this.retry.baseMs,
      maxTimeout: this.retry.maxMs,
      randomize: true,
      shouldRetry: (err) => isTransient(err),
      onFailedAttempt: async (err) => {
        if (!isTransient(err)) return;
        this.retried++;
        const wait = retryAfterMs(err);
        if (wait) await new Promise((r) => setTimeout(r, wait));
      },
    });
  }

  async rootId(): Promise<string> {
    const res = await this.call(() => this.drive.files.get({ fileId: 'root', fields: 'id' }));
    return res.data.id!;
  }

  async account(): Promise<string | undefined> {
    const res = await this.call(() => this.drive.about.get({ fields: 'user(emailAddress)' }));
    return res.data.user?.emailAddress ?? undefined;
  }

  async *sharedDrives(): AsyncIterable<{ id: string; name: string; createdMs: number }> {
    let pageToken: string | undefined;
    do {
      const res = await this.call(() =>
        this.drive.drives.list({ pageSize: 100, pageToken, fields: 'nextPageToken,drives(id,name,createdTime)' }),
      );
      for (const d of res.data.drives ?? []) {
        if (d.id) yield { id: d.id, name: d.name ?? '', createdMs: d.createdTime ? Date.parse(d.createdTime) : 0 };
      }
      pageToken = res.data.nextPageToken ?? undefined;
    } while (pageToken);
  }

  /** Children of up to 50 folders of one drive (undefined: My Drive, '*': any), page by page; trashed left out. */
  async *children(parentIds: string[], driveId: string | undefined): AsyncIterable<DriveItem[]> {
    const q = `(${parentIds.map((id) => `'${id.replace(/['\\]/g, '\\$&')}' in parents`).join(' or ')}) and trashed = false`;
    let pageToken: string | undefined;
    do {
      const res = await this.call(() =>
        this.drive.files.list({
          q,
          pageSize: 1000,
          pageToken,
          fields: `nextPageToken,files(${ITEM_FIELDS})`,
          ...ALL_DRIVES,
          ...(driveId === '*'
            ? { corpora: 'allDrives' }
            : driveId
              ? { corpora: 'drive', driveId }
              : { corpora: 'user' }),
        }),
      );
      yield (res.data.files ?? []).map(toItem).filter((x): x is DriveItem => x !== undefined);
      pageToken = res.data.nextPageToken ?? undefined;
    } while (pageToken);
  }

  async item(id: string): Promise<DriveItem | undefined> {
    const res = await this.call(() =>
      this.drive.files.get({ fileId: id, fields: ITEM_FIELDS, supportsAllDrives: true }),
    );
    return toItem(res.data);
  }

  async startPageToken(): Promise<string> {
    const res = await this.call(() => this.drive.changes.getStartPageToken({ supportsAllDrives: true }));
    return res.data.startPageToken!;
  }

  /** Changes since `token`, page by page; the last page carries the token for next time. */
  async *changes(token: string): AsyncIterable<{ changes: DriveChange[]; nextStart?: string }> {
    let pageToken: string | undefined = token;
    while (pageToken) {
      const current: string = pageToken;
      const res = await this.call(() =>
        this.drive.changes.list({
          pageToken: current,
          pageSize: 1000,
          includeRemoved: true,
          ...ALL_DRIVES,
          fields: `nextPageToken,newStartPageToken,changes(changeType,removed,fileId,file(${ITEM_FIELDS}))`,
        }),
      );
      const changes: DriveChange[] = [];
      for (const c of res.data.changes ?? []) {
        if (c.changeType && c.changeType !== 'file') continue;
        if (!c.fileId) continue;
        const item = c.file ? toItem(c.file) : undefined;
        changes.push({ fileId: c.fileId, removed: c.removed === true || item === undefined, item });
      }
      pageToken = res.data.nextPageToken ?? undefined;
      yield pageToken ? { changes } : { changes, nextStart: res.data.newStartPageToken ?? token };
    }
  }

  /** A binary file's bytes (alt=media), streamed. */
  async download(id: string): Promise<Readable> {
    const res = await this.call(() =>
      this.drive.files.get({ fileId: id, alt: 'media', supportsAllDrives: true }, { responseType: 'stream' }),
    );
    return res.data as unknown as Readable;
  }

  /** A Docs Editors file exported (Drive caps exports at 10 MB, so a buffer is fine). */
  async exportBytes(id: string, mimeType: string): Promise<Buffer> {
    const res = await this.call(() =>
      this.drive.files.export({ fileId: id, mimeType }, { responseType: 'arraybuffer' }),
    );
    return Buffer.from(res.data as unknown as ArrayBuffer);
  }
}

export const isFolder = (item: { mime: string }): boolean => item.mime === FOLDER_MIME;
