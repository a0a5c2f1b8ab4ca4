import { StrataError } from '../../../shared/errors.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { sourceSecretName } from '../secrets/secret-store.js';
import type { SourceRecord } from '../store/catalog.js';
import { LocalSource } from './local-source.js';
import type { Source } from './types.js';
import { bucketFolderReader, localFolderReader, type FolderReader } from '../browse/folder-reader.js';

/** A Source with what it must release when done (a bucket's connections), and how the tree reads it. */
export interface OpenedSource {
  source: Source;
  folders: FolderReader;
  close(): Promise<void>;
}

/** Builds the Source of a record; a bucket fetches its secret (a local folder never opens the secret store). */
export async function openSource(src: SourceRecord, secrets: () => Promise<SecretStore>): Promise<OpenedSource> {
  const c = src.config;
  if (c.kind === 'local') {
    return {
      source: new LocalSource(c.path),
      folders: localFolderReader(c.path, src.name),
      close: () => Promise.resolve(),
    };
  }
  const secret = await (await secrets()).get(sourceSecretName(src.id));
  if (!secret) {
    throw new StrataError(
      'auth',
      `no secret access key is stored for source '${src.name}'`,
      'remove the source and add it again with STRATA_SECRET_ACCESS_KEY set (or at the prompt)',
    );
  }
  const [{ S3Destination }, { BucketSource }] = await Promise.all([
    import('../destinations/s3/s3-destination.js'),
    import('./bucket-source.js'),
  ]);
  const { kind: _kind, ...rest } = c;
  const reader = new S3Destination({ ...rest, kind: 's3' }, { accessKeyId: c.accessKeyId, secretAccessKey: secret });
  const source = new BucketSource(reader);
  return { source, folders: bucketFolderReader(source.lister), close: () => source.close() };
}
