/** The backup running now, if any: from `dashboard.get().active`, `runs.active` and `run.progress` events. */
import { create } from 'zustand';
import type { ActiveRun } from '../../../shared/api/entities.js';

interface ActiveRunState {
  active: ActiveRun | null;
  /** The last run that finished (ignores late progress frames for it). */
  finishedRunId: number | null;
  setActive(active: ActiveRun | null): void;
  progress(active: ActiveRun): void;
  finished(runId: number): void;
}

export const useActiveRun = create<ActiveRunState>((set, get) => ({
  active: null,
  finishedRunId: null,
  setActive: (active) => set({ active: active && active.runId === get().finishedRunId ? null : active }),
  progress: (active) => {
    if (active.runId === get().finishedRunId) return;
    set({ active });
  },
  finished: (runId) => {
    const current = get().active;
    set({ finishedRunId: runId, active: current && current.runId !== runId ? current : null });
  },
}));
