import { createHash, randomBytes } from 'node:crypto';
import { authErrors } from './errors.js';

/**
 * Google's OAuth 2.0 endpoints for an installed app, as far as a loopback sign-in needs them:
 * the consent screen (`/authorize`, which consents at once and redirects), the token endpoint
 * (authorization_code with PKCE, refresh_token), revocation and tokeninfo. Errors use Google's
 * token-endpoint shape, `{"error":"invalid_grant","error_description":"…"}`.
 */

export const DRIVE_SCOPES = [
  'https://www.googleapis.com/auth/drive',
  'https://www.googleapis.com/auth/drive.readonly',
  'https://www.googleapis.com/auth/drive.file',
  'https://www.googleapis.com/auth/drive.metadata',
  'https://www.googleapis.com/auth/drive.metadata.readonly',
];

export interface OAuthConfig {
  clientId: string;
  clientSecret: string;
  /** Lifetime of an access token; Google's is 3599 s. */
  accessTokenTtlSeconds: number;
  /** Redirect URIs accepted besides loopback ones (http://127.0.0.1|localhost|[::1], any port and path). */
  redirectUris: readonly string[];
}

/** What the consent screen saw, for tests to assert on. */
export interface AuthorizationRecord {
  clientId: string | null;
  redirectUri: string | null;
  scope: string | null;
  state: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  accessType: string | null;
  prompt: string | null;
  /** The code handed to the redirect, or undefined when consent was refused or the request was bad. */
  code?: string;
}

/** Tokens a test can set straight on an OAuth2Client with setCredentials. */
export interface MintedTokens {
  access_token: string;
  refresh_token?: string;
  expiry_date: number;
  token_type: 'Bearer';
  scope: string;
}

export interface OAuthAnswer {
  status: number;
  headers?: Record<string, string>;
  /** JSON for objects, text otherwise. */
  body?: object | string;
}

interface Grant {
  clientId: string;
  scope: string;
  accessType: 'online' | 'offline';
  refreshToken?: string;
  revoked: boolean;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  scope: string;
  accessType: 'online' | 'offline';
  challenge?: string;
  challengeMethod?: 'S256' | 'plain';
  expiresAt: number;
  used: boolean;
}

const CODE_LIFETIME_MS = 10 * 60 * 1000;
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

const tokenError = (status: number, error: string, description: string): OAuthAnswer => ({
  status,
  body: { error, error_description: description },
});

const random = (n: number) => randomBytes(n).toString('base64url');

function isLoopback(uri: string): boolean {
  try {
    const u = new URL(uri);
    return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  } catch {
    return false;
  }
}

export class FakeOAuth {
  readonly authorizations: AuthorizationRecord[] = [];
  /** 'deny' makes the next consent screen refuse (redirect with error=access_denied), once. */
  nextConsent: 'allow' | 'deny' = 'allow';
  readonly counters = { codeExchanges: 0, refreshes: 0, revocations: 0 };

  private readonly codes = new Map<string, PendingCode>();
  private readonly grants: Grant[] = [];
  private readonly refreshTokens = new Map<string, Grant>();
  private readonly accessTokens = new Map<string, { grant: Grant; expiresAt: number }>();

  constructor(readonly config: OAuthConfig) {}

  // ---------------------------------------------------------------- consent screen

  authorize(params: URLSearchParams): OAuthAnswer {
    const record: AuthorizationRecord = {
      clientId: params.get('client_id'),
      redirectUri: params.get('redirect_uri'),
      scope: params.get('scope'),
      state: params.get('state'),
      codeChallenge: params.get('code_challenge'),
      codeChallengeMethod: params.get('code_challenge_method'),
      accessType: params.get('access_type'),
      prompt: params.get('prompt'),
    };
    this.authorizations.push(record);
    // Errors before a trustworthy redirect_uri is known are shown on Google's own page, not redirected.
    if (record.clientId !== this.config.clientId) {
      return { status: 401, body: 'Error 401: invalid_client\nThe OAuth client was not found.' };
    }
    const redirectUri = record.redirectUri;
    if (!redirectUri || !(isLoopback(redirectUri) || this.config.redirectUris.includes(redirectUri))) {
      return { status: 400, body: 'Error 400: redirect_uri_mismatch' };
    }
    const back = (extra: Record<string, string>): OAuthAnswer => {
      const target = new URL(redirectUri);
      if (record.state !== null) target.searchParams.set('state', record.state);
      for (const [k, v] of Object.entries(extra)) target.searchParams.set(k, v);
      return { status: 302, headers: { Location: target.toString() } };
    };
    if (params.get('response_type') !== 'code') return back({ error: 'unsupported_response_type' });
    if (!record.scope)
      return back({ error: 'invalid_request', error_description: 'Missing required parameter: scope' });
    const method = record.codeChallengeMethod ?? (record.codeChallenge ? 'plain' : null);
    if (method !== null && method !== 'S256' && method !== 'plain') {
      return back({ error: 'invalid_request', error_description: 'Invalid code_challenge_method.' });
    }
    if (this.nextConsent === 'deny') {
      this.nextConsent = 'allow';
      return back({ error: 'access_denied' });
    }
    const code = `4/0A${random(48)}`;
    const pending: PendingCode = {
      clientId: record.clientId,
      redirectUri,
      scope: record.scope,
      accessType: record.accessType === 'offline' ? 'offline' : 'online',
      expiresAt: Date.now() + CODE_LIFETIME_MS,
      used: false,
    };
    if (record.codeChallenge && method) {
      pending.challenge = record.codeChallenge;
      pending.challengeMethod = method;
    }
    this.codes.set(code, pending);
    record.code = code;
    return back({ code, scope: record.scope });
  }

  // ---------------------------------------------------------------- token endpoint

  token(form: URLSearchParams, authorization: string | undefined): OAuthAnswer {
    let clientId = form.get('client_id');
    let clientSecret = form.get('client_secret');
    if (authorization?.startsWith('Basic ')) {
      const [id, secret] = Buffer.from(authorization.slice(6), 'base64').toString('utf8').split(':');
      clientId = id ?? null;
      clientSecret = secret ?? null;
    }
    if (clientId !== this.config.clientId) return tokenError(401, 'invalid_client', 'The OAuth client was not found.');
    if (clientSecret !== this.config.clientSecret) return tokenError(401, 'invalid_client', 'Unauthorized');
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') return this.exchangeCode(form);
    if (grantType === 'refresh_token') return this.refresh(form);
    return tokenError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`);
  }

  private exchangeCode(form: URLSearchParams): OAuthAnswer {
    const code = form.get('code');
    const pending = code ? this.codes.get(code) : undefined;
    if (!pending) return tokenError(400, 'invalid_grant', 'Malformed auth code.');
    if (pending.used || pending.expiresAt < Date.now()) return tokenError(400, 'invalid_grant', 'Bad Request');
    if (form.get('redirect_uri') !== pending.redirectUri)
      return tokenError(400, 'redirect_uri_mismatch', 'Bad Request');
    const verifier = form.get('code_verifier');
    if (pending.challenge !== undefined) {
      if (!verifier) return tokenError(400, 'invalid_grant', 'Missing code verifier.');
      const derived =
        pending.challengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
      if (!VERIFIER.test(verifier) || derived !== pending.challenge) {
        return tokenError(400, 'invalid_grant', 'Invalid code verifier.');
      }
    } else if (verifier) {
      return tokenError(400, 'invalid_grant', 'code_verifier or verifier is not needed.');
    }
    // A code is good once; Google refuses a second exchange.
    pending.used = true;
    this.counters.codeExchanges++;
    const grant = this.newGrant(pending.clientId, pending.scope, pending.accessType);
    const body: Record<string, unknown> = {
      access_token: this.newAccessToken(grant),
      expires_in: this.config.accessTokenTtlSeconds,
      scope: grant.scope,
      token_type: 'Bearer',
    };
    // Google issues a refresh token only for offline access.
    if (grant.refreshToken !== undefined) body.refresh_token = grant.refreshToken;
    return { status: 200, body };
  }

  private refresh(form: URLSearchParams): OAuthAnswer {
    const token = form.get('refresh_token');
    const grant = token ? this.refreshTokens.get(token) : undefined;
    if (!grant || grant.revoked) return tokenError(400, 'invalid_grant', 'Token has been expired or revoked.');
    this.counters.refreshes++;
    // Google keeps the refresh token: the answer carries a new access token only.
    return {
      status: 200,
      body: {
        access_token: this.newAccessToken(grant),
        expires_in: this.config.accessTokenTtlSeconds,
        scope: grant.scope,
        token_type: 'Bearer',
      },
    };
  }

  // ---------------------------------------------------------------- revoke, tokeninfo

  /** Revoking either token of a grant revokes the whole grant, as Google does. */
  revoke(token: string | null): OAuthAnswer {
    const grant = token ? (this.refreshTokens.get(token) ?? this.accessTokens.get(token)?.grant) : undefined;
    if (!grant || grant.revoked) return tokenError(400, 'invalid_token', 'Token expired or revoked');
    grant.revoked = true;
    this.counters.revocations++;
    return { status: 200, body: {} };
  }

  tokenInfo(token: string | null): OAuthAnswer {
    const found = token ? this.accessTokens.get(token) : undefined;
    if (!found || found.grant.revoked || found.expiresAt <= Date.now()) {
      return tokenError(400, 'invalid_token', 'Invalid Value');
    }
    return {
      status: 200,
      body: {
        azp: found.grant.clientId,
        aud: found.grant.clientId,
        scope: found.grant.scope,
        exp: String(Math.floor(found.expiresAt / 1000)),
        expires_in: Math.max(0, Math.floor((found.expiresAt - Date.now()) / 1000)),
        access_type: found.grant.accessType,
      },
    };
  }

  // ---------------------------------------------------------------- the Drive API's check

  /** Throws the DriveApiError Google's front end answers for a missing, unknown, expired or under-scoped token. */
  checkBearer(authorization: string | undefined): void {
    if (!authorization) throw authErrors.loginRequired();
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    const found = m ? this.accessTokens.get(m[1]!) : undefined;
    if (!found || found.grant.revoked || found.expiresAt <= Date.now()) throw authErrors.invalidCredentials();
    if (!found.grant.scope.split(' ').some((s) => DRIVE_SCOPES.includes(s))) throw authErrors.insufficientScopes();
  }

  // ---------------------------------------------------------------- test controls

  /** A grant as if the user had signed in, without the browser round trip. */
  mint(opts: { scope?: string; offline?: boolean } = {}): MintedTokens {
    const grant = this.newGrant(
      this.config.clientId,
      opts.scope ?? 'https://www.googleapis.com/auth/drive.readonly',
      opts.offline === false ? 'online' : 'offline',
    );
    const accessToken = this.newAccessToken(grant);
    const out: MintedTokens = {
      access_token: accessToken,
      expiry_date: this.accessTokens.get(accessToken)!.expiresAt,
      token_type: 'Bearer',
      scope: grant.scope,
    };
    if (grant.refreshToken !== undefined) out.refresh_token = grant.refreshToken;
    return out;
  }

  /** Every access token issued so far stops working (401); refresh tokens still do. */
  expireAccessTokens(): void {
    for (const t of this.accessTokens.values()) t.expiresAt = 0;
  }

  /** Every grant is revoked, as when the user removes the app's access in their Google account. */
  revokeAll(): void {
    for (const g of this.grants) g.revoked = true;
  }

  private newGrant(clientId: string, scope: string, accessType: 'online' | 'offline'): Grant {
    const grant: Grant = { clientId, scope, accessType, revoked: false };
    if (accessType === 'offline') {
      grant.refreshToken = `1//0${random(64)}`;
      this.refreshTokens.set(grant.refreshToken, grant);
    }
    this.grants.push(grant);
    return grant;
  }

  private newAccessToken(grant: Grant): string {
    const token = `ya29.${random(96)}`;
    this.accessTokens.set(token, { grant, expiresAt: Date.now() + this.config.accessTokenTtlSeconds * 1000 });
    return token;
  }
}
