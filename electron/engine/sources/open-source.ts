import type { BucketSourceDraft } from '../../../shared/api/entities.js';
import { StrataError } from '../../../shared/errors.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { sourceSecretName } from '../secrets/secret-store.js';
import type { SourceRecord } from '../store/catalog.js';
import type { Db } from '../store/database.js';
import type { FolderPolicy } from '../../../shared/policy.js';
import { LocalSource } from './local-source.js';
import { CommandSource } from './command-source.js';
import type { Source } from './types.js';
import type { S3Destination } from '../destinations/s3/s3-destination.js';
import { bucketFolderReader, localFolderReader, type FolderReader } from '../browse/folder-reader.js';

/** A Source with what it must release when done (a bucket's connections), and how the tree reads it. */
export interface OpenedSource {
  source: Source;
  folders: FolderReader;
  close(): Promise<void>;
}

/** The S3 client of a bucket source, with its secret: read by a backup, written by a restore into it. */
export async function openBucketOf(src: SourceRecord, secrets: () => Promise<SecretStore>): Promise<S3Destination> {
  const c = src.config;
  if (c.kind !== 'bucket') throw new StrataError('usage', `source '${src.name}' is not a bucket`);
  const secret = await (await secrets()).get(sourceSecretName(src.id));
  if (!secret) {
    throw new StrataError(
      'auth',
      `no secret access key is stored for source '${src.name}'`,
      'remove the source and add it again with STRATA_SECRET_ACCESS_KEY set (or at the prompt)',
    );
  }
  // Loaded on demand: the AWS SDK costs a local-only run a noticeable part of its start-up.
  const { S3Destination } = await import('../destinations/s3/s3-destination.js');
  const { kind: _kind, ...rest } = c;
  return new S3Destination({ ...rest, kind: 's3' }, { accessKeyId: c.accessKeyId, secretAccessKey: secret });
}

/** The S3 client of a bucket given by its settings and secret (a restore into a bucket Strata does not keep). */
export async function openBucketFromSettings(settings: BucketSourceDraft): Promise<S3Destination> {
  const { S3Destination } = await import('../destinations/s3/s3-destination.js');
  const { secretAccessKey, ...rest } = settings;
  return new S3Destination({ ...rest, kind: 's3' }, { accessKeyId: settings.accessKeyId, secretAccessKey });
}

/** Builds the Source of a record; a bucket or Drive fetches its secrets (a local folder never opens the secret store). */
export async function openSource(
  src: SourceRecord,
  secrets: () => Promise<SecretStore>,
  db: Db,
  env: NodeJS.ProcessEnv = process.env,
  policies: () => readonly FolderPolicy[] = () => [],
): Promise<OpenedSource> {
  const c = src.config;
  if (c.kind === 'gdrive') {
    const { openDrive } = await import('./gdrive/open-drive.js');
    return openDrive({ ...src, config: c }, await secrets(), db, env, policies);
  }
  if (c.kind === 'command') {
    const env = c.envNames?.length ? await commandEnvOf(src, await secrets()) : undefined;
    const spec = { argv: c.argv, shell: c.shell, timeoutMs: c.timeoutMs, stderrFatal: c.stderrFatal, env };
    const source = new CommandSource({ spec, outputName: c.outputName, gzip: c.gzip });
    return { source, folders: singleFileReader(c.outputName), close: () => Promise.resolve() };
  }
  if (c.kind === 'local') {
    return {
      source: new LocalSource(c.path),
      folders: localFolderReader(c.path, src.name),
      close: () => Promise.resolve(),
    };
  }
  const [reader, { BucketSource }] = await Promise.all([openBucketOf(src, secrets), import('./bucket-source.js')]);
  const source = new BucketSource(reader);
  return { source, folders: bucketFolderReader(source.lister), close: () => source.close() };
}

/** The environment a command source's command gets: its values are kept as one secret. */
export async function commandEnvOf(src: SourceRecord, secrets: SecretStore): Promise<Record<string, string>> {
  const raw = await secrets.get(sourceSecretName(src.id, 'command-env'));
  const env = raw ? (JSON.parse(raw) as Record<string, string>) : {};
  const missing = (src.config.kind === 'command' ? (src.config.envNames ?? []) : []).filter((n) => !(n in env));
  if (missing.length) {
    throw new StrataError(
      'auth',
      `the value of ${missing.join(', ')} for source '${src.name}' is not saved on this machine`,
      'remove the source and add it again with those variables set',
    );
  }
  return env;
}

/** The tree of a command source: its one file, whose size is known once a backup ran it. */
function singleFileReader(name: string): FolderReader {
  return {
    children: async (folder) => (folder === '' ? [{ name, type: 'file' }] : []),
    stat: async () => undefined,
  };
}
