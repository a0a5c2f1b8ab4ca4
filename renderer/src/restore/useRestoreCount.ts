/** The live count of what the selection and filters take in (`restore.count`), asked again after a pause. */
import { useEffect, useState } from 'react';
import { api } from '../api/client.js';
import { selectionInput } from './request.js';
import type { Decisions } from './selection.js';
import type { FilterForm } from './wizard-store.js';

const PAUSE_MS = 250;

export function useRestoreCount(s: {
  destination: string;
  snapshotId: string;
  decisions: Decisions;
  filter: FilterForm;
}): { count: { files: number; bytes: number } | null; error: unknown; counting: boolean } {
  const [count, setCount] = useState<{ files: number; bytes: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [counting, setCounting] = useState(false);
  const { destination, snapshotId, decisions, filter } = s;
  useEffect(() => {
    if (!destination || !snapshotId) return;
    let live = true;
    setCounting(true);
    const timer = setTimeout(() => {
      api()
        .call('restore.count', selectionInput({ destination, snapshotId, decisions, filter }))
        .then(
          (c) => {
            if (!live) return;
            setCount(c);
            setError(null);
          },
          (err: unknown) => live && setError(err),
        )
        .finally(() => live && setCounting(false));
    }, PAUSE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [destination, snapshotId, decisions, filter]);
  return { count, error, counting };
}
