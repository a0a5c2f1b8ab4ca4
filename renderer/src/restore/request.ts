/** The wizard's choices as the API's restore request. */
import type { RestoreRequest, RestoreSelection, RestoreTarget } from '../../../shared/api/entities.js';
import { checkForm } from '../../../shared/providers.js';
import { bucketSourceDraft } from '../sources/bucket-draft.js';
import { toPaths, type Decisions } from './selection.js';
import type { FilterForm, TargetForm } from './wizard-store.js';

export function filterInput(f: FilterForm): RestoreSelection['filter'] {
  const exts = f.extensions
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x) => (x.startsWith('.') ? x : `.${x}`));
  const prefix = f.pathPrefix.trim().replace(/^\/+|\/+$/g, '');
  return {
    ...(prefix ? { pathPrefix: prefix } : {}),
    ...(exts.length ? { extensions: exts } : {}),
    ...(f.nameContains.trim() ? { nameContains: f.nameContains.trim() } : {}),
    // Dates are whole days in the user's own time zone: "until" includes that day.
    ...(f.since ? { since: new Date(`${f.since}T00:00:00`).getTime() } : {}),
    ...(f.until ? { until: new Date(`${f.until}T23:59:59.999`).getTime() } : {}),
  };
}

export function selectionInput(s: {
  destination: string;
  snapshotId: string;
  decisions: Decisions;
  filter: FilterForm;
}): RestoreSelection {
  const { paths, exclude } = toPaths(s.decisions);
  return {
    destination: s.destination,
    snapshot: s.snapshotId,
    paths,
    ...(exclude.length ? { exclude } : {}),
    filter: filterInput(s.filter),
  };
}

export function targetInput(t: TargetForm): RestoreTarget {
  if (t.kind === 'original') return { kind: 'original' };
  if (t.kind === 'folder') return { kind: 'folder', path: t.folder.trim() };
  // The bucket's own prefix field is the key prefix: the objects go below it.
  if (t.kind === 'newBucket') return { kind: 'newBucket', settings: bucketSourceDraft(t.newBucket) };
  return { kind: 'bucket', bucket: t.bucket, ...(t.prefix.trim() ? { prefix: t.prefix.trim() } : {}) };
}

export function requestInput(
  s: Parameters<typeof selectionInput>[0] & {
    target: TargetForm;
    conflict: RestoreRequest['conflict'];
  },
): RestoreRequest {
  return { ...selectionInput(s), target: targetInput(s.target), conflict: s.conflict };
}

/** What is wrong with the target choice, in words, or undefined. */
export function targetProblem(t: TargetForm): string | undefined {
  if (t.kind === 'folder' && !t.folder.trim()) return 'Choose a folder to restore into';
  if (t.kind === 'folder' && !/^(\/|[A-Za-z]:[\\/])/.test(t.folder.trim())) return 'Give the full path of the folder';
  if (t.kind === 'bucket' && !t.bucket) return 'Choose a bucket';
  if (t.kind === 'newBucket' && Object.keys(checkForm(t.newBucket, { secretSaved: false })).length > 0) {
    return 'Fill in the bucket’s details';
  }
  return undefined;
}
