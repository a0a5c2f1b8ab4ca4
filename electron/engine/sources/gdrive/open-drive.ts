/** Opens a Drive source: the signed-in client, the retrying API, the mirror, the tree. */
import { drive } from '@googleapis/drive';
import type { FolderPolicy } from '../../../../shared/policy.js';
import type { Db } from '../../store/database.js';
import type { SecretStore } from '../../secrets/secret-store.js';
import type { GDriveSourceConfig, SourceRecord } from '../../store/catalog.js';
import { sourceLabel } from '../../store/catalog.js';
import { DEFAULT_RETRY, DriveApi, type RetryPolicy } from './drive-api.js';
import { forgetAccessToken, googleEndpoints, signedInClient } from './drive-auth.js';
import { driveFolderReader } from './drive-folder-reader.js';
import { DriveMirror } from './drive-mirror.js';
import { DriveSource } from './drive-source.js';
import { DriveTree } from './drive-tree.js';
import type { OpenedSource } from '../open-source.js';

/** STRATA_DRIVE_RETRY_BASE_MS shortens the backoff (tests); Google's advice is to start near 1 s. */
function retryPolicy(env: NodeJS.ProcessEnv): RetryPolicy {
  const base = Number(env.STRATA_DRIVE_RETRY_BASE_MS);
  return Number.isFinite(base) && base > 0 ? { ...DEFAULT_RETRY, baseMs: base, maxMs: base * 64 } : DEFAULT_RETRY;
}

export async function driveApiFor(
  src: SourceRecord & { config: GDriveSourceConfig },
  secrets: SecretStore,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DriveApi> {
  const endpoints = googleEndpoints(env);
  const auth = await signedInClient({ id: src.id, name: src.name, clientId: src.config.clientId }, secrets, endpoints);
  // One retry policy (ours, with jitter and the 403 rate limits) instead of gaxios's own.
  const client = drive({
    version: 'v3',
    auth,
    retry: false,
    ...(endpoints.apiRoot ? { rootUrl: endpoints.apiRoot } : {}),
  });
  return new DriveApi(client, retryPolicy(env), src.name, () => forgetAccessToken(auth));
}

export async function openDrive(
  src: SourceRecord & { config: GDriveSourceConfig },
  secrets: SecretStore,
  db: Db,
  env: NodeJS.ProcessEnv = process.env,
  policies: () => readonly FolderPolicy[] = () => [],
): Promise<OpenedSource> {
  const api = await driveApiFor(src, secrets, env);
  const tree = new DriveTree(api, new DriveMirror(db, src.id), src.id, src.config.exports, policies);
  const source = new DriveSource(sourceLabel(src.config), tree, {
    sourceName: src.name,
    followShortcuts: src.config.followShortcuts,
  });
  return { source, folders: driveFolderReader(tree, src.id, src.name), close: () => Promise.resolve() };
}
