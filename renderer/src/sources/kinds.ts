/** The kinds of source, in the words the screens use for them. */
import type { SourceInfo } from '../../../shared/api/entities.js';

export type SourceKind = SourceInfo['kind'];

export const SOURCE_KINDS: readonly SourceKind[] = ['local', 'bucket', 'gdrive', 'command'];

export const KIND_LABEL: Record<SourceKind, string> = {
  local: 'Folder',
  bucket: 'Bucket',
  gdrive: 'Google Drive',
  command: 'Command',
};

/** One line under the kind's name in the Add source chooser: what it covers. */
export const KIND_HELP: Record<SourceKind, string> = {
  local: 'On this computer, a backup disk or a NAS share',
  bucket: 'S3, R2, B2, Wasabi, MinIO or any other S3-compatible store',
  gdrive: 'The files in your Google Drive, read after you sign in with Google',
  command: 'A database dump or any command’s output, saved as one file',
};

/** What a source row shows after the kind: the folder or bucket/prefix, and a Drive's account. */
export function sourceLabel(source: SourceInfo): string | undefined {
  // A Drive's path repeats the kind ('Google Drive (account)'); the account alone says which Drive.
  return source.kind === 'gdrive' ? source.account : source.path;
}
