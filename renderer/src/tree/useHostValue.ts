import { useCallback, useEffect, useState } from 'react';
import type { Topic } from '../../../shared/api/contract.js';
import { api } from '../api/client.js';
import { describe, type ActionError } from './store.js';

/**
 * A value read from the host, read again whenever the host says one of `topics` changed (a save
 * here, the CLI, another window). `set` takes the answer of a save so the form need not wait for
 * the event. `load` must be stable (useCallback).
 */
export function useHostValue<T>(
  load: () => Promise<T>,
  topics: readonly Topic[],
): { value: T | null; set: (value: T) => void; error: ActionError | null } {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<ActionError | null>(null);
  const refresh = useCallback(async (): Promise<void> => {
    try {
      setValue(await load());
      setError(null);
    } catch (err) {
      setError(describe(err));
    }
  }, [load]);
  const watched = topics.join(',');
  useEffect(() => {
    void refresh();
    return api().on('changed', ({ topics: changed }) => {
      if (changed.some((t) => watched.split(',').includes(t))) void refresh();
    });
  }, [refresh, watched]);
  return { value, set: setValue, error };
}
