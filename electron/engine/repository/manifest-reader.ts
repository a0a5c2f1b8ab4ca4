import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { StrataError } from '../../../shared/errors.js';
import type { Destination } from '../destinations/types.js';
import { isSafeRelativePath } from '../../../shared/paths.js';
import {
  MANIFEST_VERSION,
  ManifestEntrySchema,
  ManifestHeaderSchema,
  ManifestSummarySchema,
  type ManifestEntry,
  type ManifestHeader,
  type ManifestSummary,
} from './manifest-schema.js';

type Part = { kind: 'header'; header: ManifestHeader } | { kind: 'entry'; entry: ManifestEntry; line: number };

/** What the entries hold, as counted while they were checked (not as the summary says). */
export interface ManifestCounts {
  files: number;
  /** Sum of the file entries' sizes. */
  bytes: number;
}

/**
 * A manifest downloaded to a local temp file and checked end to end (gzip CRC, JSON, schema,
 * safe paths, entry count and digest) before anything trusts it. Entries are then streamed
 * from the local copy as often as needed.
 */
export class ManifestFile {
  private constructor(
    readonly key: string,
    readonly file: string,
    readonly header: ManifestHeader,
    readonly summary: ManifestSummary,
    /** Counted from the entries while they were checked: a restore of everything need not read them again for its totals. */
    readonly counts: ManifestCounts,
    private readonly where: string,
  ) {}

  static async fetch(dest: Destination, key: string, tmpDir: string): Promise<ManifestFile> {
    const file = join(tmpDir, `manifest-${randomBytes(6).toString('hex')}.json.gz`);
    const where = `${dest.label}/${key}`;
    try {
      await pipeline(await dest.get(key), createWriteStream(file, { mode: 0o600 }));
      const { header, summary, counts } = await validate(file, where);
      return new ManifestFile(key, file, header, summary, counts, where);
    } catch (err) {
      await rm(file, { force: true });
      throw err;
    }
  }

  async *entries(): AsyncGenerator<ManifestEntry> {
    for await (const part of parse(this.file, this.where)) {
      if (part.kind === 'entry') yield part.entry;
    }
  }

  async dispose(): Promise<void> {
    await rm(this.file, { force: true });
  }
}

async function validate(
  file: string,
  where: string,
): Promise<{ header: ManifestHeader; summary: ManifestSummary; counts: ManifestCounts }> {
  let header: ManifestHeader | undefined;
  const digest = createHash('sha256');
  let count = 0;
  const counts: ManifestCounts = { files: 0, bytes: 0 };
  const gen = parse(file, where, (line) => digest.update(line).update('\n'));
  let result: IteratorResult<Part, ManifestSummary>;
  while (!(result = await gen.next()).done) {
    const part = result.value;
    if (part.kind === 'header') {
      header = part.header;
      continue;
    }
    count++;
    if (part.entry.type === 'file') {
      counts.files++;
      counts.bytes += part.entry.size ?? 0;
    }
  }
  const summary = result.value;
  if (!header) throw corrupt(where, 'it has no header');
  if (summary.entries !== count) {
    throw new StrataError(
      'tampered',
      `manifest ${where} lists ${count} entries but its summary says ${summary.entries}`,
      'it was cut short or edited; restore from another snapshot',
    );
  }
  if (digest.digest('hex') !== summary.entriesSha256) {
    throw new StrataError(
      'tampered',
      `manifest ${where} does not match its own digest`,
      'it was edited or damaged after it was written; restore from another snapshot',
    );
  }
  return { header, summary, counts };
}

function corrupt(where: string, why: string): StrataError {
  return new StrataError('corrupt', `manifest ${where} is damaged: ${why}`, 'restore from another snapshot');
}

/** Parses the line-per-entry layout written by ManifestWriter; the generator's return value is the summary. */
async function* parse(
  file: string,
  where: string,
  onEntryLine?: (line: string) => void,
): AsyncGenerator<Part, ManifestSummary> {
  const gunzip = createGunzip();
  const input = createReadStream(file).pipe(gunzip);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  let summary: ManifestSummary | undefined;
  let sawHeader = false;
  try {
    for await (const line of lines) {
      lineNo++;
      if (summary) {
        if (line.trim() === '') continue;
        throw corrupt(where, `unexpected text after the summary (line ${lineNo})`);
      }
      if (!sawHeader) {
        sawHeader = true;
        yield { kind: 'header', header: parseHeader(line, where) };
        continue;
      }
      if (line.startsWith(']')) {
        summary = parseSummary(line, where);
        continue;
      }
      const json = line.endsWith(',') ? line.slice(0, -1) : line;
      onEntryLine?.(json);
      yield { kind: 'entry', entry: parseEntry(json, where, lineNo), line: lineNo };
    }
  } catch (err) {
    if (err instanceof StrataError) throw err;
    throw corrupt(where, (err as Error).message);
  } finally {
    lines.close();
    input.destroy();
  }
  if (!summary) throw corrupt(where, 'it ends before its summary (truncated)');
  return summary;
}

function parseJson(text: string, where: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw corrupt(where, `${what} is not valid JSON`);
  }
}

function parseHeader(line: string, where: string): ManifestHeader {
  if (!line.endsWith('"entries":[')) throw corrupt(where, 'the first line is not a Strata manifest header');
  const doc = parseJson(`${line}]}`, where, 'the header') as { strata?: unknown; version?: unknown; header?: unknown };
  if (doc.strata !== 'snapshot') throw corrupt(where, 'it is not a Strata snapshot manifest');
  if (typeof doc.version === 'number' && doc.version > MANIFEST_VERSION) {
    throw new StrataError(
      'format-too-new',
      `manifest ${where} uses format v${doc.version}; this Strata reads up to v${MANIFEST_VERSION}`,
      'upgrade Strata to read it',
    );
  }
  const parsed = ManifestHeaderSchema.safeParse(doc.header);
  if (doc.version !== MANIFEST_VERSION || !parsed.success) throw corrupt(where, 'its header is malformed');
  return parsed.data;
}

function parseSummary(line: string, where: string): ManifestSummary {
  const doc = parseJson(`{${line.slice(2)}`, where, 'the summary') as { summary?: unknown };
  const parsed = ManifestSummarySchema.safeParse(doc.summary);
  if (!parsed.success) throw corrupt(where, 'its summary is malformed');
  return parsed.data;
}

function parseEntry(json: string, where: string, lineNo: number): ManifestEntry {
  const parsed = ManifestEntrySchema.safeParse(parseJson(json, where, `line ${lineNo}`));
  if (!parsed.success)
    throw corrupt(where, `entry on line ${lineNo} is malformed (${parsed.error.issues[0]?.message})`);
  const e = parsed.data;
  const rawOk = e.raw === undefined || isSafeRelativePath(Buffer.from(e.raw, 'base64').toString('latin1'));
  if (!isSafeRelativePath(e.path) || !rawOk || (e.key !== undefined && !isSafeRelativePath(e.key))) {
    throw new StrataError(
      'unsafe-path',
      `manifest ${where} has an entry that would escape the restore folder: ${JSON.stringify(e.path)}`,
      'the manifest was tampered with; nothing was restored from it',
    );
  }
  return e;
}

/**
 * Only a manifest's header (its first line), without downloading the rest: who made the snapshot
 * and from where. Not checked against the manifest's digest; use ManifestFile before trusting entries.
 */
export async function readManifestHeader(dest: Destination, key: string): Promise<ManifestHeader> {
  const where = `${dest.label}/${key}`;
  const body = await dest.get(key);
  const input = body.pipe(createGunzip());
  body.on('error', (err) => input.destroy(err));
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) return parseHeader(line, where);
    throw corrupt(where, 'it is empty');
  } catch (err) {
    if (err instanceof StrataError) throw err;
    throw corrupt(where, (err as Error).message);
  } finally {
    lines.close();
    input.destroy();
    body.destroy();
  }
}
