/**
 * Revision counters bumped by the host's `changed` and `run.*` events. Views put the counter they
 * care about in an effect's dependencies and reload when it moves.
 */
import { create } from 'zustand';
import { Topic } from '../../../shared/api/contract.js';

type Counters = Record<Topic, number>;

interface ChangesState {
  rev: Counters;
  /** Bumped on run.started and run.finished. */
  runs: number;
  bump(topics: readonly Topic[]): void;
  bumpRuns(): void;
  bumpAll(): void;
}

const ALL: Topic[] = Topic.options;

export const useChanges = create<ChangesState>((set) => ({
  rev: Object.fromEntries(ALL.map((t) => [t, 0])) as Counters,
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
