/**
 * The dashboard's cost figures (`cost.get`), reloaded when runs, destinations, plans or prices
 * change, and "Count now" (`cost.measure`) for one destination, whose answer replaces that
 * destination's figures at once (the host's change event reloads the rest).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CostOverview, DestinationCost } from '../../../shared/api/cost.js';
import { api } from '../api/client.js';
import { useRevision } from '../store/changes.js';

export interface CostOverviewState {
  overview: CostOverview | null;
  error: unknown;
  reload: () => Promise<void>;
  /** Destinations being counted now. */
  counting: ReadonlySet<string>;
  /** Counts one destination; a failure is kept per destination for its breakdown to show. */
  measure: (destination: string) => Promise<void>;
  measureErrors: Readonly<Record<string, unknown>>;
}

export const COST_TOPICS = ['runs', 'destinations', 'plans', 'settings'] as const;

export function useCostOverview(): CostOverviewState {
  const [overview, setOverview] = useState<CostOverview | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [counting, setCounting] = useState<ReadonlySet<string>>(new Set());
  const [measureErrors, setMeasureErrors] = useState<Record<string, unknown>>({});
  // Runs starting and finishing move the figures too (run.started / run.finished).
  const rev = useRevision(COST_TOPICS, true);
  // Only the latest load may land: an older answer must not overwrite a newer one.
  const seq = useRef(0);

  const reload = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const o = await api().call('cost.get', {});
      if (mine !== seq.current) return;
      setOverview(o);
      setError(null);
    } catch (err) {
      if (mine === seq.current) setError(err);
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload, rev]);

  const measure = useCallback(async (destination: string) => {
    setCounting((s) => new Set(s).add(destination));
    setMeasureErrors((e) => withoutKey(e, destination));
    try {
      const counted = await api().call('cost.measure', { destination });
      // A load that started before the count would bring the old figures back.
      seq.current++;
      setOverview((o) => (o ? replaceDestination(o, counted) : o));
    } catch (err) {
      setMeasureErrors((e) => ({ ...e, [destination]: err }));
    } finally {
      setCounting((s) => {
        const next = new Set(s);
        next.delete(destination);
        return next;
      });
    }
  }, []);

  return { overview, error, reload, counting, measure, measureErrors };
}

function replaceDestination(o: CostOverview, d: DestinationCost): CostOverview {
  const destinations = o.destinations.map((x) => (x.destination === d.destination ? d : x));
  return { ...o, destinations, total: destinations.reduce((sum, x) => sum + x.monthly.total, 0) };
}

function withoutKey<T>(record: Record<string, T>, key: string): Record<string, T> {
  const next = { ...record };
  delete next[key];
  return next;
}
