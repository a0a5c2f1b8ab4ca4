import { useCallback, useEffect, useState } from 'react';

/**
 * Loads something when the component appears (and when `load` changes), keeping the value, the
 * error that stopped it, and a reload for the Retry button. `load` must be stable (useCallback).
 */
export function useLoaded<T>(load: () => Promise<T>): { value: T | null; error: unknown; reload: () => Promise<void> } {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const reload = useCallback(async () => {
    setError(null);
    try {
      setValue(await load());
    } catch (err) {
      setError(err);
    }
  }, [load]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { value, error, reload };
}
