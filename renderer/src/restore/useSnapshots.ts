/** The snapshots on one destination (`snapshots.list`); an answer for a destination no longer chosen is dropped. */
import { useCallback, useEffect, useState } from 'react';
import type { SnapshotInfo } from '../../../shared/api/entities.js';
import { api } from '../api/client.js';

export function useSnapshots(destination: string): {
  value: SnapshotInfo[] | null;
  error: unknown;
  reload: () => void;
} {
  const [state, setState] = useState<{ for: string; value: SnapshotInfo[] | null; error: unknown }>({
    for: '',
    value: null,
    error: null,
  });
  const [again, setAgain] = useState(0);
  useEffect(() => {
    if (!destination) return;
    let live = true;
    api()
      .call('snapshots.list', { destination })
      .then(
        (value) => live && setState({ for: destination, value, error: null }),
        (error: unknown) => live && setState({ for: destination, value: null, error }),
      );
    return () => {
      live = false;
    };
  }, [destination, again]);
  const reload = useCallback(() => setAgain((n) => n + 1), []);
  // What was read for another destination is not shown while this one loads.
  const mine = state.for === destination;
  return { value: mine ? state.value : null, error: mine ? state.error : null, reload };
}
