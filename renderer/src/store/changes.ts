/**
 * Revision counters bumped by the host's `changed` and `run.*` events. Views put the counter they
 * care about in an effect's dependencies and reload when it moves.
 */
import { create } from 'zustand';
import type { Topic } from '../../../shared/api/contract.js';

type Counters = Record<Topic, number>;

interface ChangesState {
  rev: Counters;
  /** Bumped on run.started and run.finished. */
  runs: number;
  bump(topics: readonly Topic[]): void;
  bumpRuns(): void;
  bumpAll(): void;
}

const ALL: Topic[] = ['sources', 'destinations', 'policies', 'settings', 'runs', 'status'];

export const useChanges = create<ChangesState>((set) => ({
  rev: { sources: 0, destinations: 0, policies: 0, settings: 0, runs: 0, status: 0 },
  runs: 0,
  bump: (topics) =>
    set((s) => {
      const rev = { ...s.rev };
      for (const t of topics) rev[t] = (rev[t] ?? 0) + 1;
      return { rev };
    }),
  bumpRuns: () => set((s) => ({ runs: s.runs + 1 })),
  bumpAll: () =>
    set((s) => {
      const rev = { ...s.rev };
      for (const t of ALL) rev[t] += 1;
      return { rev, runs: s.runs + 1 };
    }),
}));

/** The sum of some counters: one dependency for "any of these changed". */
export function useRevision(topics: readonly Topic[], withRuns = false): number {
  return useChanges((s) => topics.reduce((n, t) => n + s.rev[t], withRuns ? s.runs : 0));
}
