/**
 * What the staged ticks would do to each destination (`cost.whatIf`), asked again a moment after the
 * ticks stop changing; an answer to older ticks than the newest question is dropped.
 */
import { useEffect, useRef, useState } from 'react';
import type { WhatIfResult } from '../../../shared/api/cost.js';
import { api } from '../api/client.js';
import type { StagedChange } from './staging.js';

/** Quiet time after the last tick before asking: a burst of ticks costs one question. */
export const WHAT_IF_DELAY_MS = 250;
/** The most changes one question takes (the API's limit). */
const MAX_CHANGES = 500;

export interface WhatIf {
  /** The answer for the current ticks, or for the previous ones while the new answer is on its way. */
  result: WhatIfResult | null;
  /** A question is waiting or on its way. */
  loading: boolean;
  error: unknown;
}

export function useWhatIf(source: string, changes: readonly StagedChange[]): WhatIf {
  const [state, setState] = useState<WhatIf>({ result: null, loading: false, error: null });
  const asked = useRef(0);

  useEffect(() => {
    const n = ++asked.current;
    if (changes.length === 0) {
      setState({ result: null, loading: false, error: null });
      return;
    }
    if (changes.length > MAX_CHANGES) {
      setState({
        result: null,
        loading: false,
        error: new Error(`too many changes to estimate at once (${changes.length}); save some first`),
      });
      return;
    }
    setState((s) => ({ ...s, loading: true }));
    const timer = setTimeout(() => {
      const input = {
        source,
        changes: changes.map(({ path, destination, include }) => ({ path, destination, include })),
      };
      api()
        .call('cost.whatIf', input)
        .then(
          (result) => {
            if (n === asked.current) setState({ result, loading: false, error: null });
          },
          (error: unknown) => {
            if (n === asked.current) setState({ result: null, loading: false, error });
          },
        );
    }, WHAT_IF_DELAY_MS);
    return () => clearTimeout(timer);
  }, [source, changes]);

  return state;
}
