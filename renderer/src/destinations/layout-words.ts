/** How the two layouts are named and explained, the same in the editor, its read-only line and the list. */
import type { DestinationLayout } from '../../../shared/api/entities.js';

export const LAYOUT_TITLE: Record<DestinationLayout, string> = { mirror: 'Mirror', vault: 'Vault' };

export const LAYOUT_HELP: Record<DestinationLayout, string> = {
  mirror: 'plain files you can browse in any bucket console',
  vault: 'deduplicated, compressed and encrypted; needs a passphrase',
};

export const LAYOUTS: readonly DestinationLayout[] = ['mirror', 'vault'];
