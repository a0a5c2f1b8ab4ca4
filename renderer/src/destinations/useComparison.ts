/**
 * Every provider and class priced for the edited destination's data (`cost.compare`), asked again a
 * moment after the draft's provider or storage class stops changing; older answers are dropped.
 */
import { useEffect, useRef, useState } from 'react';
import type { CostComparison } from '../../../shared/api/cost.js';
import type { ProviderId } from '../../../shared/providers.js';
import { api } from '../api/client.js';

/** Quiet time after a change of provider or class before asking. */
export const COMPARE_DELAY_MS = 300;

export interface Comparison {
  result: CostComparison | null;
  loading: boolean;
  error: unknown;
  retry: () => void;
}

export function useComparison(destination: string | undefined, provider: ProviderId, storageClass: string): Comparison {
  const [state, setState] = useState<Omit<Comparison, 'retry'>>({ result: null, loading: true, error: null });
  const [again, setAgain] = useState(0);
  const asked = useRef(0);

  useEffect(() => {
    const n = ++asked.current;
    setState((s) => ({ ...s, loading: true }));
    const timer = setTimeout(() => {
      const input = {
        ...(destination ? { destination } : {}),
        provider,
        ...(storageClass ? { storageClass } : {}),
      };
      api()
        .call('cost.compare', input)
        .then(
          (result) => {
            if (n === asked.current) setState({ result, loading: false, error: null });
          },
          (error: unknown) => {
            if (n === asked.current) setState({ result: null, loading: false, error });
          },
        );
    }, COMPARE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [destination, provider, storageClass, again]);

  return { ...state, retry: () => setAgain((k) => k + 1) };
}
