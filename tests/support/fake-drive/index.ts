export { DriveApiError, type DriveErrorBody, type DriveErrorItem } from './errors.js';
export { type FaultSpec, type RateLimitReason } from './faults.js';
export {
  FakeDrive,
  FOLDER_MIME,
  GOOGLE_MIME,
  isGoogleNative,
  ROOT_ALIAS,
  SHORTCUT_MIME,
  type AddOptions,
  type Bytes,
  type ChangeEntry,
  type ExportsByMime,
  type FakeDriveOptions,
  type FakeFile,
  type FakeSharedDrive,
  type FakeUser,
} from './model.js';
export { DRIVE_SCOPES, FakeOAuth, type AuthorizationRecord, type MintedTokens } from './oauth.js';
export { type DriveApiSettings } from './routes.js';
export { startFakeDrive, type FakeDriveServer, type FakeDriveServerOptions, type RequestLogEntry } from './server.js';
