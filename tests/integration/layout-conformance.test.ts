/**
 * One conformance suite for both layouts, on a local disk and on s3rver: back up, change (edit,
 * add, delete, rename), back up again, prune by retention, verify quick and deep, and restore every
 * remaining snapshot byte for byte, with each file's permissions. Then tampering: a flipped byte in stored content, in a vault's
 * index file and in a snapshot manifest is detected and reported; nothing damaged is ever restored
 * silently.
 */
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/engine.js';
import { cliEnv } from '../support/cli.js';
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHarness } from '../support/s3rver.js';
import { put, randomBytes, treeState } from '../support/tree.js';

const KiB = 1024;
const FAST = { vaultKdf: { unsafeFastKdfForTests: { N: 1024 } } };
type TreeState = Awaited<ReturnType<typeof treeState>>;

interface Case {
  name: string;
  layout: 'mirror' | 'vault';
  target: 'local' | 's3';
}
const CASES: Case[] = [
  { name: 'mirror on a local disk', layout: 'mirror', target: 'local' },
  { name: 'vault on a local disk', layout: 'vault', target: 'local' },
  { name: 'mirror on s3rver', layout: 'mirror', target: 's3' },
  { name: 'vault on s3rver', layout: 'vault', target: 's3' },
];

/** Raw access to what a destination stores, for tampering. */
interface Store {
  keys(prefix: string): Promise<string[]>;
  read(key: string): Promise<Buffer>;
  write(key: string, body: Buffer): Promise<void>;
}

function localStore(root: string): Store {
  return {
    async keys(prefix) {
      const out: string[] = [];
      for (const e of await readdir(join(root, prefix), { withFileTypes: true, recursive: true }).catch(() => [])) {
        if (e.isFile()) out.push(join(e.parentPath, e.name).slice(root.length + 1));
      }
      return out.sort();
    },
    read: (key) => readFile(join(root, key)),
    write: (key, body) => writeFile(join(root, key), body),
  };
}

function s3Store(client: S3Client, bucket: string, base: string): Store {
  return {
    async keys(prefix) {
      const out = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${base}${prefix}` }));
      return (out.Contents ?? []).map((o) => o.Key!.slice(base.length)).sort();
    },
    async read(key) {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: `${base}${key}` }));
      return Buffer.from(await out.Body!.transformToByteArray());
    },
    async write(key, body) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: `${base}${key}`, Body: body }));
    },
  };
}

const flip = (b: Buffer, at: number): Buffer => {
  const copy = Buffer.from(b);
  copy[at] = copy[at]! ^ 0x40;
  return copy;
};

describe('the same round trip on both layouts', () => {
  let s3: S3rverHarness;
  let work: string;
  beforeAll(async () => {
    s3 = await startS3rver(['conformance']);
    work = await mkdtemp(join(tmpdir(), 'strata-conformance-'));
  }, 60_000);
  afterAll(async () => {
    await s3?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  describe.each(CASES)('$name', ({ name, layout, target }) => {
    const slug = name.replace(/\W+/g, '-');
    let engine: Engine;
    let src: string;
    let store: Store;
    const recorded = new Map<string, TreeState>();

    beforeAll(async () => {
      src = join(work, `${slug}-src`);
      await mkdir(src, { recursive: true });
      const home = join(work, `${slug}-home`);
      engine = Engine.open({ home, env: cliEnv({ home }), pruneGraceMs: 0, ...FAST });
      await engine.addLocalSource('docs', src);
      const vault = layout === 'vault' ? { passphrase: `${slug} passphrase` } : undefined;
      if (target === 'local') {
        const dir = join(work, `${slug}-dest`);
        await engine.addLocalDestination('d', dir, vault);
        store = localStore(dir);
      } else {
        const { kind: _k, ...cloud } = s3.config('conformance', slug);
        await engine.addS3Destination('d', cloud, S3RVER_CREDENTIALS.secretAccessKey, vault);
        const client = new S3Client({
          endpoint: s3.endpoint,
          region: 'us-east-1',
          forcePathStyle: true,
          credentials: S3RVER_CREDENTIALS,
        });
        store = s3Store(client, 'conformance', `${slug}/`);
      }
      engine.setPolicy('docs', '', ['d']);
    }, 60_000);
    afterAll(() => engine?.close());

    const backup = async (): Promise<void> => {
      const run = await engine.backup({});
      expect(run.status, JSON.stringify(run.results)).toBe('ok');
      recorded.set(run.results[0]!.snapshotId!, await treeState(src, { modes: true }));
    };
    const restoreAll = async (label: string): Promise<number> => {
      const snaps = (await engine.listSnapshots('d')).filter((s) => !s.damaged);
      for (const s of snaps) {
        const to = join(work, `${slug}-${label}-${s.snapshotId}`);
        const r = await engine.restore({ dest: 'd', snapshot: s.snapshotId, source: 'docs', to });
        expect(r.errors).toEqual([]);
        expect(await treeState(to, { modes: true })).toEqual(recorded.get(s.snapshotId));
      }
      return snaps.length;
    };

    it('backs up, changes, backs up, prunes, verifies and restores every snapshot', async () => {
      await put(src, 'a/text.txt', 'hello\n'.repeat(3000));
      await put(src, 'a/random.bin', randomBytes(700 * KiB));
      await put(src, 'b/empty.txt', '');
      await put(src, 'b/nested/deep/file.md', '# deep\n');
      await put(src, 'c/doomed.bin', randomBytes(200 * KiB));
      // Permissions come back as they were, whether or not creating the file under the umask gives them.
      await put(src, 'a/secret.key', randomBytes(2 * KiB));
      await chmod(join(src, 'a/secret.key'), 0o600);
      await put(src, 'b/run.sh', '#!/bin/sh\necho hi\n');
      await chmod(join(src, 'b/run.sh'), 0o755);
      await put(src, 'b/shared.txt', 'group\n');
      await chmod(join(src, 'b/shared.txt'), 0o664);
      await backup();
      await writeFile(join(src, 'a/text.txt'), 'changed\n'.repeat(2000));
      await put(src, 'd/new.bin', randomBytes(300 * KiB));
      await unlink(join(src, 'c/doomed.bin'));
      await rename(join(src, 'b/nested/deep/file.md'), join(src, 'b/moved.md'));
      await backup();
      await put(src, 'a/random.bin', randomBytes(500 * KiB));
      await backup();
      expect(await restoreAll('before-prune')).toBe(3);

      engine.setRetention('d', { keepLast: 2 });
      const pruned = await engine.prune('d');
      expect(pruned.outcome!.snapshotsRemoved).toBe(1);
      expect(pruned.outcome!.collectBlocked).toBeNull();
      await engine.prune('d'); // a vault deletes what the first prune condemned
      expect(await restoreAll('after-prune')).toBe(2);

      const quick = await engine.verify('d');
      expect(quick.problems).toEqual([]);
      const deep = await engine.verify('d', { deep: true, samplePercent: 100 });
      expect(deep.problems).toEqual([]);
      expect(deep.status).toBe('ok');
      expect(deep.bytesRead).toBeGreaterThan(500 * KiB);
    }, 120_000);

    it('detects a flipped byte in stored content: verify reports it, restore refuses the file', async () => {
      // Every content object (packs, or files' current copies), every 32 KiB.
      const keys = await store.keys(layout === 'vault' ? 'packs/' : 'files/');
      const originals = new Map<string, Buffer>();
      for (const k of keys) {
        const body = await store.read(k);
        originals.set(k, body);
        let damaged = body;
        for (let at = 100; at < body.length; at += 32 * KiB) damaged = flip(damaged, at);
        await store.write(k, damaged);
      }
      try {
        const deep = await engine.verify('d', { deep: true, samplePercent: 100 });
        expect(deep.status).toBe('failed');
        expect(deep.problems.length).toBeGreaterThan(0);
        const r = await engine.restore({ dest: 'd', snapshot: 'latest', source: 'docs', to: join(work, `${slug}-t1`) });
        expect(r.errors.length).toBeGreaterThan(0);
        expect(r.errors.map((e) => e.path)).toContain('a/random.bin');
        // Nothing damaged lands under its name.
        for (const e of r.errors) {
          expect(await stat(join(work, `${slug}-t1`, e.path)).catch(() => undefined), e.path).toBeUndefined();
        }
      } finally {
        for (const [k, body] of originals) await store.write(k, body);
      }
    }, 60_000);

    // A mirror has no index files: this case exists only for vaults.
    if (layout === 'vault')
      it('detects a flipped byte in an index file: backups refuse the vault until it is fixed, verify names it', async () => {
        const [key] = await store.keys('index/');
        const body = await store.read(key!);
        await store.write(key!, flip(body, body.length - 20));
        try {
          const v = await engine.verify('d');
          expect(v.status).toBe('failed');
          expect(v.problems.map((p) => p.detail).join('\n')).toMatch(/index file index\/[0-9a-f]{64} .*is damaged/);
          // This machine's cached copy is authentic (named by its hash): it goes on. Without it, not.
          await rm(join(work, `${slug}-home`, 'cache'), { recursive: true, force: true });
          const run = await engine.backup({});
          expect(run.status).toBe('failed');
          expect(run.results[0]!.error).toMatch(/index file\(s\) of the vault .* cannot be read/);
          const pruned = await engine.prune('d');
          expect(pruned.outcome!.collectBlocked).toMatch(/index file\(s\) cannot be read/);
        } finally {
          await store.write(key!, body);
        }
        await backup();
      }, 60_000);

    it('detects a flipped byte in a snapshot manifest: listed as damaged, never restored', async () => {
      const snaps = await engine.listSnapshots('d');
      const latest = snaps.at(-1)!;
      const body = await store.read(latest.manifestKey);
      await store.write(latest.manifestKey, flip(body, Math.floor(body.length / 2)));
      try {
        // A second machine, with nothing cached, reads every manifest from the destination.
        const home = join(work, `${slug}-other`);
        const other = Engine.open({ home, env: cliEnv({ home }), ...FAST });
        try {
          const vault = layout === 'vault' ? { passphrase: `${slug} passphrase` } : undefined;
          if (target === 'local') {
            await other.addLocalDestination('d', join(work, `${slug}-dest`), vault);
          } else {
            const { kind: _k, ...cloud } = s3.config('conformance', slug);
            await other.addS3Destination('d', cloud, S3RVER_CREDENTIALS.secretAccessKey, vault);
          }
          const listed = await other.listSnapshots('d');
          const bad = listed.find((s) => s.snapshotId === latest.snapshotId)!;
          expect(bad.damaged).toMatch(/damaged|corrupt|does not|invalid|checksum|decode|unexpected/i);
          await expect(
            other.restore({ dest: 'd', snapshot: latest.snapshotId, source: 'docs', to: join(work, `${slug}-t2`) }),
          ).rejects.toMatchObject({ code: expect.stringMatching(/corrupt|tampered|integrity/) });
          expect(await stat(join(work, `${slug}-t2`, 'a')).catch(() => undefined)).toBeUndefined();
        } finally {
          other.close();
        }
      } finally {
        await store.write(latest.manifestKey, body);
      }
    }, 60_000);
  });
});
