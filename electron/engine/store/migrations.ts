/**
 * Numbered schema migrations; `PRAGMA user_version` records how many have run.
 * Append only: never edit a migration that has shipped.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the first schema.
  `
  CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    config TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE destinations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    config TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  -- One row per (folder, destination) decision; absent means "inherit from the parent folder".
  CREATE TABLE policy_destinations (
    source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    folder TEXT NOT NULL,
    dest_id TEXT NOT NULL REFERENCES destinations(id) ON DELETE CASCADE,
    include INTEGER NOT NULL,
    PRIMARY KEY (source_id, folder, dest_id)
  ) WITHOUT ROWID;
  CREATE TABLE policy_rules (
    source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    folder TEXT NOT NULL,
    excludes TEXT NOT NULL DEFAULT '[]',
    max_size INTEGER,
    PRIMARY KEY (source_id, folder)
  ) WITHOUT ROWID;
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    trigger TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    error TEXT
  );
  CREATE TABLE run_results (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    source_id TEXT NOT NULL,
    dest_id TEXT NOT NULL,
    status TEXT NOT NULL,
    snapshot_id TEXT,
    files_total INTEGER NOT NULL DEFAULT 0,
    bytes_total INTEGER NOT NULL DEFAULT 0,
    files_uploaded INTEGER NOT NULL DEFAULT 0,
    bytes_uploaded INTEGER NOT NULL DEFAULT 0,
    files_deleted INTEGER NOT NULL DEFAULT 0,
    files_failed INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    PRIMARY KEY (run_id, source_id, dest_id)
  );
  CREATE INDEX run_results_dest ON run_results(dest_id, started_at);
  -- The file index: what the source looked like when last read. (dir, name) lets the UI list a
  -- folder's children with one index range scan, even on trees of a million files.
  CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    dir TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ms REAL NOT NULL,
    inode INTEGER,
    sha256 TEXT,
    seen_run INTEGER,
    UNIQUE (source_id, dir, name)
  );
  CREATE TABLE file_status (
    file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    dest_id TEXT NOT NULL REFERENCES destinations(id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('synced', 'pending', 'failed', 'excluded')),
    sha256 TEXT,
    remote_key TEXT,
    error TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (file_id, dest_id)
  ) WITHOUT ROWID;
  CREATE INDEX file_status_dest ON file_status(dest_id, state);
  -- Cache of manifests seen on destinations; the destination is the truth.
  CREATE TABLE snapshots (
    dest_id TEXT NOT NULL REFERENCES destinations(id) ON DELETE CASCADE,
    snapshot_id TEXT NOT NULL,
    source_id TEXT NOT NULL,
    source_name TEXT NOT NULL,
    time INTEGER NOT NULL,
    files INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    manifest_key TEXT NOT NULL,
    PRIMARY KEY (dest_id, snapshot_id)
  ) WITHOUT ROWID;
  -- Which manifest the file_status rows of (source, destination) agree with.
  CREATE TABLE sync_state (
    source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    dest_id TEXT NOT NULL REFERENCES destinations(id) ON DELETE CASCADE,
    last_snapshot_id TEXT,
    PRIMARY KEY (source_id, dest_id)
  ) WITHOUT ROWID;
  CREATE TABLE run_log (
    id INTEGER PRIMARY KEY,
    run_id INTEGER REFERENCES runs(id) ON DELETE CASCADE,
    time INTEGER NOT NULL,
    level TEXT NOT NULL,
    source_id TEXT,
    dest_id TEXT,
    path TEXT,
    message TEXT NOT NULL
  );
  CREATE INDEX run_log_run ON run_log(run_id);
  `,
  // 2: user settings (concurrency, bandwidth, theme) as JSON values.
  `
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 3: secrets sealed by the OS (Electron safeStorage): ciphertext only, never plaintext.
  `
  CREATE TABLE sealed_secrets (
    name TEXT PRIMARY KEY,
    ciphertext BLOB NOT NULL,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // 4: each destination's plan (schedule, retention, when to worry) and the alerts raised about it.
  `
  CREATE TABLE destination_plans (
    dest_id TEXT PRIMARY KEY REFERENCES destinations(id) ON DELETE CASCADE,
    schedule TEXT NOT NULL DEFAULT '{"kind":"manual"}',
    last_slot_at INTEGER,
    retention TEXT NOT NULL DEFAULT '{}',
    stale_after_ms INTEGER,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    dest_id TEXT NOT NULL REFERENCES destinations(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    opened_at INTEGER NOT NULL,
    closed_at INTEGER
  );
  CREATE INDEX alerts_open ON alerts(dest_id, kind) WHERE closed_at IS NULL;
  `,
  // 5: a source-specific identity of each file (a bucket object's ETag; a Drive file's revision).
  `
  ALTER TABLE files ADD COLUMN identity TEXT;
  `,
  // 6: what a bucket object carries besides its bytes (Content-Type, user metadata), as JSON.
  `
  ALTER TABLE files ADD COLUMN details TEXT;
  `,
  // 7: what Strata knows of a Google Drive (items, which folders are listed, the changes page token),
  // so a run reads only the changes since the last one.
  `
  CREATE TABLE drive_items (
    source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    parent_id TEXT NOT NULL,
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size INTEGER,
    md5 TEXT,
    version TEXT,
    modified_ms INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    target_id TEXT,
    target_mime TEXT,
    listed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source_id, id)
  ) WITHOUT ROWID;
  CREATE INDEX drive_items_parent ON drive_items(source_id, parent_id);
  CREATE TABLE drive_state (
    source_id TEXT PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
    page_token TEXT,
    root_id TEXT,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // 8: a folder policy's Google Docs export formats (JSON), for Drive sources.
  `
  ALTER TABLE policy_rules ADD COLUMN exports TEXT;
  `,
  // 9: verification reports per destination, the rotating deep-sample position, and when to verify.
  `
  CREATE TABLE verify_reports (
    id INTEGER PRIMARY KEY,
    dest_id TEXT NOT NULL REFERENCES destinations(id) ON DELETE CASCADE,
    run_id INTEGER,
    mode TEXT NOT NULL,
    sample_percent REAL NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    status TEXT NOT NULL,
    snapshots INTEGER NOT NULL DEFAULT 0,
    objects INTEGER NOT NULL DEFAULT 0,
    objects_read INTEGER NOT NULL DEFAULT 0,
    bytes_read INTEGER NOT NULL DEFAULT 0,
    problems TEXT NOT NULL DEFAULT '[]',
    snapshot_ids TEXT NOT NULL DEFAULT '[]',
    error TEXT
  );
  CREATE INDEX verify_reports_dest ON verify_reports(dest_id, started_at);
  CREATE TABLE verify_state (
    dest_id TEXT PRIMARY KEY REFERENCES destinations(id) ON DELETE CASCADE,
    sample_cursor REAL NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
  ALTER TABLE destination_plans ADD COLUMN verify TEXT;
  `,
  // 10: every stored version of every file, per destination, folded from its snapshots' manifests
  // (strata versions), and which snapshots are folded in; a cache, rebuilt when snapshots go.
  `
  CREATE TABLE file_versions (
    dest_id TEXT NOT NULL REFERENCES destinations(id) ON DELETE CASCADE,
    source_id TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ms REAL NOT NULL,
    first_id TEXT NOT NULL,
    first_time INTEGER NOT NULL,
    last_id TEXT NOT NULL,
    last_time INTEGER NOT NULL,
    snapshots INTEGER NOT NULL,
    PRIMARY KEY (dest_id, source_id, path, sha256)
  ) WITHOUT ROWID;
  CREATE TABLE version_folds (
    dest_id TEXT NOT NULL REFERENCES destinations(id) ON DELETE CASCADE,
    source_id TEXT NOT NULL,
    snapshot_id TEXT NOT NULL,
    PRIMARY KEY (dest_id, source_id, snapshot_id)
  ) WITHOUT ROWID;
  `,
  // 11: restore reports (a restore is a run of its own; this keeps what it did and what failed, and
  // its bytes and duration measure the throughput the next restore's estimate uses).
  `
  CREATE TABLE restore_reports (
    run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    dest_id TEXT NOT NULL,
    snapshot_id TEXT NOT NULL,
    source_name TEXT NOT NULL,
    target TEXT NOT NULL,
    conflict TEXT NOT NULL,
    files_total INTEGER NOT NULL DEFAULT 0,
    bytes_total INTEGER NOT NULL DEFAULT 0,
    files INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0,
    bytes_read INTEGER NOT NULL DEFAULT 0,
    verified INTEGER NOT NULL DEFAULT 0,
    identical INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    renamed INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    failures TEXT NOT NULL DEFAULT '[]',
    stopped TEXT,
    started_at INTEGER NOT NULL,
    finished_at INTEGER
  );
  CREATE INDEX restore_reports_dest ON restore_reports(dest_id, started_at);
  `,
  // 12: what each destination stores over time, for cost estimates and their month-by-month chart.
  // A measured sample counts the destination by listing it; the others carry the last one forward
  // with each run's uploads and each prune's deletions. Existing installs start from their run
  // history (uploads only, as tracked samples) until the next backup counts the destination.
  `
  CREATE TABLE usage_samples (
    dest_id TEXT NOT NULL REFERENCES destinations(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    objects INTEGER NOT NULL,
    small_objects INTEGER NOT NULL DEFAULT 0,
    small_bytes INTEGER NOT NULL DEFAULT 0,
    measured INTEGER NOT NULL,
    PRIMARY KEY (dest_id, at)
  ) WITHOUT ROWID;
  INSERT OR IGNORE INTO usage_samples (dest_id, at, bytes, objects, measured)
  SELECT dest_id, at,
         SUM(bytes) OVER (PARTITION BY dest_id ORDER BY at ROWS UNBOUNDED PRECEDING),
         SUM(objects) OVER (PARTITION BY dest_id ORDER BY at ROWS UNBOUNDED PRECEDING),
         0
  FROM (
    SELECT rr.dest_id, MAX(COALESCE(rr.finished_at, rr.started_at)) AS at,
           SUM(rr.bytes_uploaded) AS bytes,
           SUM(rr.files_uploaded + (rr.snapshot_id IS NOT NULL)) AS objects
    FROM run_results rr JOIN destinations d ON d.id = rr.dest_id
    GROUP BY rr.run_id, rr.dest_id
  );
  `,
  // 13: vault destinations: each file content's chunk list (by SHA-256), so a file backed up
  // before is referenced again without reading it; a cache, rebuilt by reading files again.
  `
  CREATE TABLE vault_chunk_lists (
    dest_id TEXT NOT NULL REFERENCES destinations(id) ON DELETE CASCADE,
    sha256 TEXT NOT NULL,
    chunks BLOB NOT NULL,
    PRIMARY KEY (dest_id, sha256)
  ) WITHOUT ROWID;
  `,
  // 14: what a backup added to the destination when that differs from the files it read: a
  // vault stores new chunks in packs, so its uploads are far less than the changed files.
  `
  ALTER TABLE run_results ADD COLUMN stored_bytes INTEGER;
  ALTER TABLE run_results ADD COLUMN stored_objects INTEGER;
  `,
  // 15: commands a folder policy runs before and after its source's backup (maintenance mode,
  // a filesystem snapshot, a monitoring ping), each with its time limit.
  `
  CREATE TABLE policy_hooks (
    source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    folder TEXT NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('before', 'after')),
    command TEXT NOT NULL,
    timeout_ms INTEGER NOT NULL,
    PRIMARY KEY (source_id, folder, phase)
  ) WITHOUT ROWID;
  `,
  // 16: per vault, the index state its chunk lists were last checked against
  // (VaultChunkStore.reconcile), so an unchanged backup skips the check. Any chunk list added, or file marked synced,
  // for that vault drops the mark (in the same transaction): the next backup checks again.
  `
  CREATE TABLE vault_chunk_checks (
    dest_id TEXT PRIMARY KEY REFERENCES destinations(id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TRIGGER vault_chunk_checks_list AFTER INSERT ON vault_chunk_lists
  BEGIN DELETE FROM vault_chunk_checks WHERE dest_id = NEW.dest_id; END;
  CREATE TRIGGER vault_chunk_checks_status_new AFTER INSERT ON file_status WHEN NEW.state = 'synced'
  BEGIN DELETE FROM vault_chunk_checks WHERE dest_id = NEW.dest_id; END;
  CREATE TRIGGER vault_chunk_checks_status AFTER UPDATE OF state, sha256 ON file_status WHEN NEW.state = 'synced'
  BEGIN DELETE FROM vault_chunk_checks WHERE dest_id = NEW.dest_id; END;
  `,
];
