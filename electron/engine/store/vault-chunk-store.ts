import type { Db } from './database.js';

/** Per vault destination: a file content's chunk ids by its SHA-256 (32 bytes each, concatenated). */
export class VaultChunkStore {
  private readonly getStmt;
  private readonly putStmt;

  constructor(private readonly db: Db) {
    this.getStmt = db.prepare('SELECT chunks FROM vault_chunk_lists WHERE dest_id = ? AND sha256 = ?');
    this.putStmt = db.prepare('INSERT OR REPLACE INTO vault_chunk_lists (dest_id, sha256, chunks) VALUES (?, ?, ?)');
  }

  get(destId: string, sha256: string): string[] | undefined {
    const row = this.getStmt.get(destId, sha256) as { chunks: Buffer } | undefined;
    if (!row) return undefined;
    const ids: string[] = [];
    for (let i = 0; i < row.chunks.length; i += 32) ids.push(row.chunks.subarray(i, i + 32).toString('hex'));
    return ids;
  }

  put(destId: string, sha256: string, ids: string[]): void {
    this.putStmt.run(destId, sha256, Buffer.from(ids.join(''), 'hex'));
  }

  /**
   * Makes this vault's chunk lists agree with its index (`fingerprint` names the index state, see
   * VaultDestination.index): forgetMissing, then forgetUnknown. Skipped when they were last
   * checked against the same state and nothing was added since (migration 16's triggers drop the
   * mark on any chunk list added or file marked synced), which an unchanged backup of a large tree
   * otherwise paid at every start (about 10 µs a file). Returns the lists dropped.
   */
  reconcile(destId: string, fingerprint: string, has: (id: string) => boolean): number {
    const mark = this.db.prepare('SELECT fingerprint FROM vault_chunk_checks WHERE dest_id = ?').get(destId) as
      { fingerprint: string } | undefined;
    if (mark?.fingerprint === fingerprint) return 0;
    const dropped = this.forgetMissing(destId, has);
    this.forgetUnknown(destId);
    this.markChecked(destId, fingerprint);
    return dropped;
  }

  /**
   * Records that this vault's chunk lists agree with index state `fingerprint`, so the next
   * reconcile against it is skipped: after a check, or at the end of a backup whose lists all
   * name chunks it found in the vault or stored there itself (VaultSession.commit). Without the
   * latter, the run after every backup that added files checked them all again (~170 ms for
   * 20,000 files here, ~10 s for a million).
   */
  markChecked(destId: string, fingerprint: string): void {
    this.db
      .prepare('INSERT OR REPLACE INTO vault_chunk_checks (dest_id, fingerprint) VALUES (?, ?)')
      .run(destId, fingerprint);
  }

  /**
   * Drops the chunk lists that name a chunk the vault does not hold: a run killed after a file
   * was chunked but before its pack and index were stored leaves such a list behind. Returns how
   * many went; `forgetUnknown` then sends their files back to be read.
   */
  forgetMissing(destId: string, has: (id: string) => boolean): number {
    const rows = this.db
      .prepare('SELECT sha256, chunks FROM vault_chunk_lists WHERE dest_id = ?')
      .iterate(destId) as IterableIterator<{ sha256: string; chunks: Buffer }>;
    const stale: string[] = [];
    for (const r of rows) {
      for (let i = 0; i < r.chunks.length; i += 32) {
        if (!has(r.chunks.subarray(i, i + 32).toString('hex'))) {
          stale.push(r.sha256);
          break;
        }
      }
    }
    const del = this.db.prepare('DELETE FROM vault_chunk_lists WHERE dest_id = ? AND sha256 = ?');
    this.db.transaction(() => stale.forEach((sha) => del.run(destId, sha)))();
    return stale.length;
  }

  /**
   * Files marked synced whose content has no chunk list here (a rebuilt database) go back to
   * pending, so the next backup reads them again; their chunks are already stored, so nothing
   * is uploaded twice.
   */
  forgetUnknown(destId: string): number {
    return this.db
      .prepare(
        `UPDATE file_status SET state = 'pending' WHERE dest_id = ? AND state = 'synced' AND sha256 IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM vault_chunk_lists v WHERE v.dest_id = file_status.dest_id AND v.sha256 = file_status.sha256)`,
      )
      .run(destId).changes;
  }
}
