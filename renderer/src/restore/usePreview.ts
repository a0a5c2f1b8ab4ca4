/** The dry run of the wizard's current choices (`restore.preview`), asked again when they change. */
import { useEffect, useMemo, useState } from 'react';
import type { RestorePreview } from '../../../shared/api/entities.js';
import { api } from '../api/client.js';
import { requestInput } from './request.js';
import { useWizard } from './wizard-store.js';

export function usePreview(): { preview: RestorePreview | null; error: unknown; loading: boolean; reload: () => void } {
  const { destination, snapshotId, decisions, filter, target, conflict } = useWizard();
  const input = useMemo(
    () => requestInput({ destination, snapshotId, decisions, filter, target, conflict }),
    [destination, snapshotId, decisions, filter, target, conflict],
  );
  const [preview, setPreview] = useState<RestorePreview | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [again, setAgain] = useState(0);
  useEffect(() => {
    let live = true;
    setLoading(true);
    api()
      .call('restore.preview', input)
      .then(
        (p) => {
          if (!live) return;
          setPreview(p);
          setError(null);
        },
        (err: unknown) => {
          if (!live) return;
          setPreview(null);
          setError(err);
        },
      )
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [input, again]);
  return { preview, error, loading, reload: () => setAgain((n) => n + 1) };
}
