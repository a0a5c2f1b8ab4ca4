import { sourceSecretName } from '../../secrets/secret-store.js';

/** Where a Drive source's OAuth client secret and tokens live in the secret store. */
export const clientSecretName = (sourceId: string): string => sourceSecretName(sourceId, 'client-secret');
export const tokenSecretName = (sourceId: string): string => sourceSecretName(sourceId, 'oauth-token');
