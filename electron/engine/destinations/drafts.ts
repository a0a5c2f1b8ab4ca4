/**
 * What the API's destination drafts mean for a vault: the passphrase is needed once, to add one,
 * and the layout is fixed from then on. Kept apart from the service so the rules read in one place.
 */
import type { DestinationDraft } from '../../../shared/api/entities.js';
import { StrataError } from '../../../shared/errors.js';
import { layoutOf, type DestinationConfig } from './config.js';

/** The engine's vault option for a draft being added, or undefined for a mirror. */
export function vaultOfDraft(draft: DestinationDraft): { passphrase: string } | undefined {
  if (draft.layout !== 'vault') {
    if (draft.repoPassphrase !== undefined) {
      throw new StrataError('usage', 'a passphrase was given for a mirror destination', "choose the 'vault' layout");
    }
    return undefined;
  }
  if (!draft.repoPassphrase) {
    throw new StrataError(
      'usage',
      'a vault needs a passphrase',
      'enter the passphrase (the one it already has, when joining an existing vault)',
    );
  }
  return { passphrase: draft.repoPassphrase };
}

/** An edit keeps the layout (it decides how everything stored there is read) and does not carry a passphrase. */
export function assertDraftKeepsLayout(name: string, saved: DestinationConfig, draft: DestinationDraft): void {
  const layout = layoutOf(saved);
  if (draft.layout !== undefined && draft.layout !== layout) {
    throw new StrataError(
      'usage',
      `'${name}' is a ${layout} destination: the layout cannot be changed after it is added`,
      `add a new destination with the ${draft.layout} layout instead`,
    );
  }
  if (draft.repoPassphrase !== undefined) {
    throw new StrataError(
      'usage',
      'a passphrase cannot be changed with the other settings',
      layout === 'vault' ? 'use Change passphrase' : 'a mirror destination has no passphrase',
    );
  }
}
