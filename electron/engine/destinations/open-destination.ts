import { StrataError } from '../../../shared/errors.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { destinationSecretName } from '../secrets/secret-store.js';
import type { DestinationConfig } from './config.js';
import { LocalDestination } from './local-destination.js';
import type { Destination } from './types.js';

/** Builds a Destination, fetching its secret only when it has one (local disks never open the secret store). */
export async function openDestination(
  name: string,
  id: string,
  config: DestinationConfig,
  secrets: () => Promise<SecretStore>,
): Promise<Destination> {
  if (config.kind === 'local') {
    const dest = new LocalDestination(config.path);
    await dest.checkReachable();
    return dest;
  }
  const secret = await (await secrets()).get(destinationSecretName(id));
  if (!secret) {
    throw new StrataError(
      'auth',
      `no secret access key is stored for destination '${name}'`,
      `remove it and add it again with STRATA_SECRET_ACCESS_KEY set (or at the prompt)`,
    );
  }
  // Loaded on demand: the AWS SDK costs a local-only run a noticeable part of its start-up.
  const { S3Destination } = await import('./s3/s3-destination.js');
  return new S3Destination(config, { accessKeyId: config.accessKeyId, secretAccessKey: secret });
}
