/**
 * The backup (or prune) running now, if any: from `dashboard.get().active`, `runs.active` and
 * `run.progress` events; and how the last run ended, from `run.finished`.
 */
import { create } from 'zustand';
import type { EventOf } from '../../../shared/api/contract.js';
import type { ActiveRun } from '../../../shared/api/entities.js';

export type FinishedRun = EventOf<'run.finished'>;

interface ActiveRunState {
  active: ActiveRun | null;
  /** The last run that finished (ignores late progress frames for it). */
  finishedRunId: number | null;
  /** How it ended (a dialog waiting for its own run reads this). */
  lastFinished: FinishedRun | null;
  setActive(active: ActiveRun | null): void;
  progress(active: ActiveRun): void;
  finished(run: FinishedRun): void;
}

export const useActiveRun = create<ActiveRunState>((set, get) => ({
  active: null,
  finishedRunId: null,
  lastFinished: null,
  setActive: (active) => set({ active: active && active.runId === get().finishedRunId ? null : active }),
  progress: (active) => {
    if (active.runId === get().finishedRunId) return;
    set({ active });
  },
  finished: (run) => {
    const current = get().active;
    set({
      finishedRunId: run.runId,
      lastFinished: run,
      active: current && current.runId !== run.runId ? current : null,
    });
  },
}));
