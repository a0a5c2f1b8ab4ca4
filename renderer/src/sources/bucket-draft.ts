/**
 * The bucket source form's settings as `sources.addBucket` takes them. The form is the destination
 * editor's (same presets, same R2 endpoint rule), so this reuses its draft and drops what a source
 * has no use for: the kind and the storage class (a source is only read).
 */
import type { BucketSourceDraft } from '../../../shared/api/entities.js';
import { draftFromForm, type DestinationForm } from '../../../shared/providers.js';

export function bucketSourceDraft(form: DestinationForm): BucketSourceDraft {
  const draft = draftFromForm(form);
  if (draft.kind !== 's3') throw new Error('Choose a cloud provider for the bucket');
  const { kind: _kind, storageClass: _storageClass, secretAccessKey, ...settings } = draft;
  // checkForm has insisted on the secret before this runs; the host checks it again.
  return { ...settings, secretAccessKey: secretAccessKey ?? '' };
}
