/**
 * Connecting a Google Drive: a new source once the user signed in, or new tokens for an existing
 * one (Reconnect). Nothing is recorded before Google said yes; the source never exists without
 * its secrets. Disconnect revokes the grant at Google and forgets the tokens, keeping the source,
 * its policies and its snapshots.
 */
import { drive } from '@googleapis/drive';
import type { Credentials } from 'google-auth-library';
import type { DriveExportFormats } from '../../../../shared/api/entities.js';
import { StrataError } from '../../../../shared/errors.js';
import type { SecretStore } from '../../secrets/secret-store.js';
import { checkName, type Catalog, type GDriveSourceConfig, type SourceRecord } from '../../store/catalog.js';
import type { Db } from '../../store/database.js';
import { DriveApi } from './drive-api.js';
import { googleEndpoints, oauthClient, storableTokens } from './drive-auth.js';
import { clientSecretName, tokenSecretName } from './drive-secret-names.js';
import { DriveMirror } from './drive-mirror.js';
import { startSignIn } from './drive-sign-in.js';

export interface DriveConnectOptions {
  name: string;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  exports?: DriveExportFormats | undefined;
  followShortcuts?: boolean | undefined;
  timeoutMs?: number | undefined;
  /** A new source continues this snapshot series (its sourceId), e.g. on a new machine. */
  id?: string | undefined;
}

export interface DriveConnectCtx {
  catalog: Catalog;
  db: Db;
  secrets: () => Promise<SecretStore>;
  env?: NodeJS.ProcessEnv | undefined;
}

export interface DriveConnectAttempt {
  url: string;
  done: Promise<SourceRecord>;
  cancel(): void;
}

function driveRecord(catalog: Catalog, name: string): (SourceRecord & { config: GDriveSourceConfig }) | undefined {
  const rec = catalog.findSource(name);
  if (!rec) return undefined;
  if (rec.config.kind !== 'gdrive') {
    throw new StrataError(
      'usage',
      `source '${name}' is a ${rec.config.kind} source, not a Google Drive`,
      'pick another name for the Drive',
    );
  }
  return rec as SourceRecord & { config: GDriveSourceConfig };
}

export async function beginDriveConnect(ctx: DriveConnectCtx, opts: DriveConnectOptions): Promise<DriveConnectAttempt> {
  checkName('source', opts.name);
  if (opts.id !== undefined && !/^[a-z0-9][a-z0-9-]{0,80}$/.test(opts.id)) {
    throw new StrataError(
      'usage',
      `'${opts.id}' is not a source id`,
      "copy the id from 'strata snapshots --json' (sourceId)",
    );
  }
  const existing = driveRecord(ctx.catalog, opts.name);
  const secrets = await ctx.secrets();
  const clientId = opts.clientId ?? existing?.config.clientId;
  const clientSecret = opts.clientSecret ?? (existing ? await secrets.get(clientSecretName(existing.id)) : undefined);
  if (!clientId) {
    throw new StrataError(
      'usage',
      'a Google OAuth client id is needed to connect a Drive',
      'create one (README: "Google Drive: create your OAuth client") and pass it with --client-id',
    );
  }
  if (!clientSecret) {
    throw new StrataError(
      'usage',
      'the OAuth client secret is needed to connect a Drive',
      'set STRATA_GOOGLE_CLIENT_SECRET (or type it at the prompt); it is shown next to the client id in the Google Cloud console',
    );
  }
  const env = ctx.env ?? process.env;
  const endpoints = googleEndpoints(env);
  const attempt = await startSignIn({ clientId, clientSecret, endpoints, timeoutMs: opts.timeoutMs });
  const done = attempt.tokens.then((tokens) => finishConnect(ctx, { ...opts, clientId, clientSecret }, tokens));
  done.catch(() => undefined);
  return { url: attempt.url, done, cancel: attempt.cancel };
}

async function accountOf(
  clientId: string,
  clientSecret: string,
  tokens: Credentials,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const endpoints = googleEndpoints(env);
  const auth = oauthClient(clientId, clientSecret, endpoints);
  auth.setCredentials(tokens);
  const client = drive({ version: 'v3', auth, ...(endpoints.apiRoot ? { rootUrl: endpoints.apiRoot } : {}) });
  return new DriveApi(client).account();
}

async function finishConnect(
  ctx: DriveConnectCtx,
  opts: DriveConnectOptions & { clientId: string; clientSecret: string },
  tokens: Credentials,
): Promise<SourceRecord> {
  const secrets = await ctx.secrets();
  const account = await accountOf(opts.clientId, opts.clientSecret, tokens, ctx.env ?? process.env);
  const existing = driveRecord(ctx.catalog, opts.name);
  if (existing) {
    // Another account's Drive: what Strata knew of the old one says nothing about it.
    if (existing.config.account && account && existing.config.account !== account)
      new DriveMirror(ctx.db, existing.id).clear();
    await secrets.set(clientSecretName(existing.id), opts.clientSecret);
    await secrets.set(tokenSecretName(existing.id), storableTokens(tokens));
    const { signedOut: _gone, ...config } = existing.config;
    return ctx.catalog.updateSource(opts.name, {
      ...config,
      clientId: opts.clientId,
      account: account ?? existing.config.account,
      ...(opts.exports ? { exports: opts.exports } : {}),
      ...(opts.followShortcuts !== undefined ? { followShortcuts: opts.followShortcuts } : {}),
    });
  }
  const rec = ctx.catalog.addSource(
    opts.name,
    {
      kind: 'gdrive',
      clientId: opts.clientId,
      account,
      ...(opts.exports ? { exports: opts.exports } : {}),
      ...(opts.followShortcuts ? { followShortcuts: true } : {}),
    },
    opts.id,
  );
  try {
    await secrets.set(clientSecretName(rec.id), opts.clientSecret);
    await secrets.set(tokenSecretName(rec.id), storableTokens(tokens));
  } catch (err) {
    await forgetSecrets(secrets, rec.id);
    ctx.catalog.removeSource(opts.name);
    throw err;
  }
  return rec;
}

async function forgetSecrets(secrets: SecretStore, sourceId: string): Promise<void> {
  await secrets.delete(tokenSecretName(sourceId)).catch(() => undefined);
  await secrets.delete(clientSecretName(sourceId)).catch(() => undefined);
}

/**
 * Revokes the grant (Google then forgets Strata's access) and deletes the tokens. `revoked` is
 * false when Google could not be reached: the tokens are gone from here all the same.
 */
export async function disconnectDrive(
  ctx: DriveConnectCtx,
  name: string,
  opts: { forget?: boolean } = {},
): Promise<{ revoked: boolean }> {
  const rec = driveRecord(ctx.catalog, name);
  if (!rec)
    throw new StrataError('not-found', `no Google Drive source named '${name}'`, "see them with 'strata source list'");
  const secrets = await ctx.secrets();
  const raw = await secrets.get(tokenSecretName(rec.id));
  let revoked = !raw;
  if (raw) {
    const tokens = JSON.parse(raw) as Credentials;
    const token = tokens.refresh_token ?? tokens.access_token;
    const endpoints = googleEndpoints(ctx.env ?? process.env);
    const clientSecret = (await secrets.get(clientSecretName(rec.id))) ?? '';
    if (token) {
      revoked = await oauthClient(rec.config.clientId, clientSecret, endpoints)
        .revokeToken(token)
        .then(() => true)
        .catch(() => false);
    }
  }
  await secrets.delete(tokenSecretName(rec.id));
  if (opts.forget) await forgetSecrets(secrets, rec.id);
  else ctx.catalog.updateSource(name, { ...rec.config, signedOut: true });
  return { revoked };
}

/** Changes how Docs are exported and whether shortcuts are followed. */
export function setDriveOptions(
  catalog: Catalog,
  name: string,
  opts: { exports?: DriveExportFormats | undefined; followShortcuts?: boolean | undefined },
): SourceRecord {
  const rec = driveRecord(catalog, name);
  if (!rec)
    throw new StrataError('not-found', `no Google Drive source named '${name}'`, "see them with 'strata source list'");
  return catalog.updateSource(name, {
    ...rec.config,
    ...(opts.exports ? { exports: { ...rec.config.exports, ...opts.exports } } : {}),
    ...(opts.followShortcuts !== undefined ? { followShortcuts: opts.followShortcuts } : {}),
  });
}
