/**
 * A Google Drive's snapshot series on a new machine: repair-index names it (the destination holds
 * no Google credentials) with its --id; signing in again with that id continues the series, and
 * the next backup sends only what changed. Against the fake Drive on 127.0.0.1.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/engine.js';
import { repairIndex } from '../../electron/engine/recovery/repair-index.js';
import { MemoryStore } from '../../electron/engine/secrets/memory-store.js';
import { FakeDrive, startFakeDrive, type FakeDriveServer } from '../support/fake-drive/index.js';

describe('a Google Drive series found by repair-index', () => {
  let model: FakeDrive;
  let fake: FakeDriveServer;
  let work: string;
  let env: NodeJS.ProcessEnv;
  let seriesId = '';

  const connect = async (engine: Engine, id?: string) => {
    const attempt = await engine.connectDrive({
      name: 'drive',
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      id,
    });
    await fetch(attempt.url, { redirect: 'follow' }).then((r) => r.text());
    return attempt.done;
  };

  beforeAll(async () => {
    model = new FakeDrive();
    fake = await startFakeDrive(model);
    const docs = model.addFolder('Documents');
    model.addFile('letter.txt', 'Dear Drive,\n', docs.id);
    model.addFile('notes.txt', 'notes\n', docs.id);
    work = await mkdtemp(join(tmpdir(), 'strata-recovery-drive-'));
    env = {
      ...process.env,
      STRATA_GOOGLE_API_URL: fake.rootUrl,
      STRATA_GOOGLE_AUTH_URL: fake.authUrl,
      STRATA_GOOGLE_TOKEN_URL: fake.tokenUrl,
      STRATA_GOOGLE_REVOKE_URL: fake.revokeUrl,
    };
    const old = Engine.open({ home: join(work, 'old'), secrets: new MemoryStore(), env });
    try {
      const rec = await connect(old);
      seriesId = rec.id;
      await old.addLocalDestination('disk', join(work, 'disk'));
      old.setPolicy('drive', '/My Drive/Documents', ['disk']);
      expect((await old.backup()).status).toBe('ok');
    } finally {
      old.close();
    }
  });

  afterAll(async () => {
    await fake?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('is named with its --id, then continued from the new machine', async () => {
    const engine = Engine.open({ home: join(work, 'new'), secrets: new MemoryStore(), env });
    try {
      await engine.addLocalDestination('disk', join(work, 'disk'));
      const report = await repairIndex(engine);
      expect(report.sources).toEqual([
        expect.objectContaining({
          sourceId: seriesId,
          sourceName: 'drive',
          kind: 'gdrive',
          root: 'Google Drive (backup.user@example.com)',
          status: 'needs-credentials',
        }),
      ]);
      expect(report.sources[0]!.message).toContain(
        `source drive (Google Drive (backup.user@example.com)) found: add it again with --id ${seriesId}`,
      );
      expect(report.sources[0]!.message).toContain(`strata source add gdrive drive --client-id … --id ${seriesId}`);
      expect(engine.catalog.listSources()).toEqual([]);

      // A malformed id is refused before anyone signs in.
      await expect(connect(engine, 'Not An Id')).rejects.toThrow(/is not a source id/);

      const rec = await connect(engine, seriesId);
      expect(rec.id).toBe(seriesId);
      engine.setPolicy('drive', '/My Drive/Documents', ['disk']);
      const again = await engine.backup();
      expect(again.status).toBe('ok');
      expect(again.results).toEqual([expect.objectContaining({ sourceId: seriesId, filesUploaded: 0 })]);
      const snaps = (await engine.listSnapshots('disk')).filter((s) => s.sourceId === seriesId);
      expect(snaps).toHaveLength(2);
    } finally {
      engine.close();
    }
  });
});
