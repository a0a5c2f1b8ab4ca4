/**
 * What the file menu does: open the restore wizard on one file of one snapshot. "This version" is
 * the one the latest snapshot holds, on the first destination where the file is synced.
 */
import { useCallback, useState } from 'react';
import type { DestinationInfo, FileVersion, SourceInfo, TreeEntry } from '../../../shared/api/entities.js';
import { StrataError } from '../../../shared/errors.js';
import { api } from '../api/client.js';
import { useWizard } from '../restore/wizard-store.js';
import { useRoute } from '../store/route.js';

export function useFileRestore(source: SourceInfo, destinations: DestinationInfo[], onError: (err: unknown) => void) {
  const [versionsOf, setVersionsOf] = useState<string | null>(null);
  const go = useRoute((s) => s.go);

  const openWizard = useCallback(
    (destination: string, snapshotId: string, path: string) => {
      useWizard.getState().preset({ destination, source: source.name, snapshotId, path });
      go('restore');
    },
    [go, source.name],
  );

  const restoreLatest = useCallback(
    async (entry: TreeEntry) => {
      try {
        const synced = destinations.find((d) => entry.badges[d.id]?.state === 'synced') ?? destinations[0];
        if (!synced) throw new StrataError('not-found', 'no destination holds this file', 'back it up first');
        const snaps = await api().call('snapshots.list', { destination: synced.name });
        const latest = snaps
          .filter((s) => !s.damaged && (s.sourceId === source.id || s.sourceName === source.name))
          .sort((a, b) => b.time - a.time)[0];
        if (!latest) {
          throw new StrataError(
            'not-found',
            `${synced.name} holds no snapshot of ${source.name} yet`,
            'back it up first',
          );
        }
        openWizard(synced.name, latest.snapshotId, entry.path);
      } catch (err) {
        onError(err);
      }
    },
    [destinations, source.id, source.name, openWizard, onError],
  );

  const restoreVersion = useCallback(
    (path: string, v: FileVersion) => {
      setVersionsOf(null);
      openWizard(v.destination, v.snapshotId, path);
    },
    [openWizard],
  );

  return { versionsOf, showVersions: setVersionsOf, restoreLatest, restoreVersion };
}
