/**
 * Google sign-in state of a Drive source: the user's own OAuth client (its secret in the secret
 * store) and the tokens Google issued (also there). The client refreshes the access token by
 * itself; a refreshed token is saved so the next process starts with it.
 */
import { OAuth2Client, type Credentials } from 'google-auth-library';
import { StrataError } from '../../../../shared/errors.js';
import type { SecretStore } from '../../secrets/secret-store.js';
import { clientSecretName, tokenSecretName } from './drive-secret-names.js';

/** Read-only access to every file: what a backup needs, nothing it could write with. */
export const DRIVE_SCOPE = 'https://www.googleapis.com/auth/drive.readonly';

export interface GoogleEndpoints {
  /** Drive API root (the client's rootUrl). */
  apiRoot: string | undefined;
  authUrl: string | undefined;
  tokenUrl: string | undefined;
  revokeUrl: string | undefined;
}

/** Google's own unless set: STRATA_GOOGLE_* point Strata at a Drive-compatible server (tests, proxies). */
export function googleEndpoints(env: NodeJS.ProcessEnv = process.env): GoogleEndpoints {
  return {
    apiRoot: env.STRATA_GOOGLE_API_URL || undefined,
    authUrl: env.STRATA_GOOGLE_AUTH_URL || undefined,
    tokenUrl: env.STRATA_GOOGLE_TOKEN_URL || undefined,
    revokeUrl: env.STRATA_GOOGLE_REVOKE_URL || undefined,
  };
}

export function oauthClient(
  clientId: string,
  clientSecret: string,
  endpoints: GoogleEndpoints,
  redirectUri?: string,
): OAuth2Client {
  return new OAuth2Client({
    clientId,
    clientSecret,
    ...(redirectUri ? { redirectUri } : {}),
    endpoints: {
      ...(endpoints.authUrl ? { oauth2AuthBaseUrl: endpoints.authUrl } : {}),
      ...(endpoints.tokenUrl ? { oauth2TokenUrl: endpoints.tokenUrl } : {}),
      ...(endpoints.revokeUrl ? { oauth2RevokeUrl: endpoints.revokeUrl } : {}),
    },
  });
}

/** Only what is needed again: never the id token or anything else Google sent. */
export function storableTokens(t: Credentials): string {
  return JSON.stringify({
    refresh_token: t.refresh_token,
    access_token: t.access_token,
    expiry_date: t.expiry_date,
    scope: t.scope,
  });
}

/** The signed-in client of a source, saving refreshed tokens as they come. */
export async function signedInClient(
  source: { id: string; name: string; clientId: string },
  secrets: SecretStore,
  endpoints: GoogleEndpoints,
): Promise<OAuth2Client> {
  const [clientSecret, tokens] = await Promise.all([
    secrets.get(clientSecretName(source.id)),
    secrets.get(tokenSecretName(source.id)),
  ]);
  if (!tokens) {
    throw new StrataError(
      'auth',
      `source '${source.name}' is not signed in to Google (disconnected)`,
      `sign in again: Sources → Reconnect, or 'strata source connect ${source.name}'`,
    );
  }
  if (!clientSecret) {
    throw new StrataError(
      'auth',
      `no OAuth client secret is stored for source '${source.name}'`,
      `sign in again with the client secret: 'strata source connect ${source.name}' with STRATA_GOOGLE_CLIENT_SECRET set`,
    );
  }
  const auth = oauthClient(source.clientId, clientSecret, endpoints);
  let saved = JSON.parse(tokens) as Credentials;
  auth.setCredentials(saved);
  auth.on('tokens', (fresh) => {
    // Google sends the refresh token only at sign-in: keep the one we have.
    saved = { ...saved, ...fresh, refresh_token: fresh.refresh_token ?? saved.refresh_token };
    void secrets.set(tokenSecretName(source.id), storableTokens(saved)).catch(() => undefined);
  });
  return auth;
}

/** Drops the access token, so the next call refreshes it (Google dropped it before its expiry). */
export function forgetAccessToken(auth: OAuth2Client): void {
  const { access_token: _gone, expiry_date: _when, ...rest } = auth.credentials;
  auth.setCredentials(rest);
}
