/**
 * Google sign-in for a desktop app (RFC 8252): Strata listens on 127.0.0.1 on a free port, the
 * system browser opens Google's consent page with a PKCE challenge, and Google sends the browser
 * back to the loopback with a code that only this process can exchange (it holds the verifier).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CodeChallengeMethod, type Credentials } from 'google-auth-library';
import { StrataError } from '../../../../shared/errors.js';
import { DRIVE_SCOPE, oauthClient, type GoogleEndpoints } from './drive-auth.js';

export interface SignInAttempt {
  /** Open this in a browser. */
  url: string;
  /** Settles when Google sent the browser back (tokens), or on refusal, timeout or cancel. */
  tokens: Promise<Credentials>;
  cancel(): void;
}

const page = (title: string, body: string): string =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>` +
  '<style>body{font:16px system-ui,sans-serif;margin:15vh auto;max-width:32rem;color:#1f2933}h1{font-size:1.4rem}</style>' +
  `</head><body><h1>${title}</h1><p>${body}</p></body></html>`;

export async function startSignIn(opts: {
  clientId: string;
  clientSecret: string;
  endpoints: GoogleEndpoints;
  timeoutMs?: number;
}): Promise<SignInAttempt> {
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const redirectUri = `http://127.0.0.1:${port}/`;
  const auth = oauthClient(opts.clientId, opts.clientSecret, opts.endpoints, redirectUri);
  const { codeVerifier, codeChallenge } = await auth.generateCodeVerifierAsync();
  const state = randomBytes(16).toString('hex');
  const url = auth.generateAuthUrl({
    access_type: 'offline',
    // Google sends a refresh token only with consent; asking every time makes sure there is one.
    prompt: 'consent',
    scope: [DRIVE_SCOPE],
    state,
    code_challenge: codeChallenge!,
    code_challenge_method: CodeChallengeMethod.S256,
    redirect_uri: redirectUri,
  });

  let finish: (err: unknown, tokens?: Credentials) => void = () => undefined;
  const tokens = new Promise<Credentials>((resolve, reject) => {
    finish = (err, t) => {
      clearTimeout(timer);
      server.close();
      server.closeAllConnections();
      if (err) reject(err instanceof Error ? err : new Error(String(err)));
      else resolve(t!);
    };
  });
  tokens.catch(() => undefined);
  const timer = setTimeout(
    () =>
      finish(
        new StrataError(
          'auth',
          'Google sign-in timed out: the browser never came back to Strata',
          'start the sign-in again and finish it in the browser',
        ),
      ),
    opts.timeoutMs ?? 10 * 60_000,
  );
  timer.unref();

  server.on('request', (req, res) => {
    const q = new URL(req.url ?? '/', redirectUri).searchParams;
    const answer = (status: number, title: string, body: string): void => {
      res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(page(title, body));
    };
    if (!q.has('state') && !q.has('code') && !q.has('error')) {
      answer(404, 'Nothing here', 'This address only receives Google sign-ins for Strata.');
      return;
    }
    if (q.get('state') !== state) {
      answer(
        400,
        'Sign-in not recognised',
        'This answer does not belong to the sign-in Strata started. Start again from Strata.',
      );
      return;
    }
    const error = q.get('error');
    if (error) {
      answer(200, 'Google Drive was not connected', 'You can close this tab and try again from Strata.');
      finish(
        new StrataError(
          'auth',
          error === 'access_denied'
            ? 'Google sign-in was refused (access denied)'
            : `Google sign-in failed: ${error.slice(0, 100)}`,
          'start the sign-in again and allow read access to Google Drive',
        ),
      );
      return;
    }
    const code = q.get('code') ?? '';
    auth
      .getToken({ code, codeVerifier, redirect_uri: redirectUri })
      .then(({ tokens: t }) => {
        if (!t.refresh_token) {
          throw new StrataError(
            'auth',
            'Google gave no refresh token, so Strata could not back up without you',
            "remove Strata's access at https://myaccount.google.com/permissions and sign in again",
          );
        }
        answer(200, 'Strata is connected to Google Drive', 'You can close this tab and go back to Strata.');
        finish(undefined, t);
      })
      .catch((err: unknown) => {
        answer(
          200,
          'Google Drive was not connected',
          'Strata could not finish the sign-in. Close this tab; Strata says why.',
        );
        finish(
          err instanceof StrataError
            ? err
            : new StrataError(
                'auth',
                'Google refused the sign-in code',
                'check the OAuth client id and secret, then sign in again',
                { cause: err },
              ),
        );
      });
  });

  return {
    url,
    tokens,
    cancel: () => finish(new StrataError('usage', 'Google sign-in cancelled')),
  };
}
