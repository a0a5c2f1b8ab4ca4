/** Where the chosen snapshot can go (`restore.targets`): its original place, or why not, and the buckets. */
import { useCallback } from 'react';
import { api } from '../api/client.js';
import { useLoaded } from '../components/useLoaded.js';

export function useTargets(destination: string, snapshotId: string) {
  const load = useCallback(
    () => api().call('restore.targets', { destination, snapshot: snapshotId }),
    [destination, snapshotId],
  );
  return useLoaded(load);
}
