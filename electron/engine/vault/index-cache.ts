/**
 * This machine's copy of a vault's index files, as stored (sealed), so opening the vault downloads
 * only index files it has not seen: one listing instead of every file again. Files are named by
 * their SHA-256 like on the destination, so a damaged copy is detected and fetched again; files the
 * destination no longer lists (compacted by a collection) are dropped.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from './pack-format.js';

export class IndexCache {
  constructor(private readonly dir: string) {}

  /** The cached bytes of index/<sha256>, when present and intact. */
  async get(sha256: string): Promise<Buffer | undefined> {
    try {
      const bytes = await readFile(join(this.dir, sha256));
      if (sha256Hex(bytes) === sha256) return bytes;
      await rm(join(this.dir, sha256), { force: true });
    } catch {
      // Not cached, or unreadable: the destination has it.
    }
    return undefined;
  }

  /** Best effort: a full disk or read-only home only means the next open downloads it again. */
  async put(sha256: string, bytes: Buffer): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true });
      const tmp = join(this.dir, `.${sha256}.${process.pid}.tmp`);
      await writeFile(tmp, bytes);
      await rename(tmp, join(this.dir, sha256));
    } catch {
      // See above.
    }
  }

  /** Drops every cached file not in `keep` (the index files the destination lists now). */
  async retain(keep: Set<string>): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!keep.has(name) && !name.endsWith('.tmp')) await rm(join(this.dir, name), { force: true });
    }
  }

  async clear(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
