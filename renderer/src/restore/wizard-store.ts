/**
 * The restore wizard's choices, kept while the user moves between steps and screens, and preset by
 * the Sources tree ("Restore this version…", "Previous versions…").
 */
import { create } from 'zustand';
import type { ConflictRule } from '../../../shared/api/entities.js';
import { emptyForm, type DestinationForm } from '../../../shared/providers.js';
import type { Decisions } from './selection.js';

export const STEPS = ['snapshot', 'select', 'target', 'conflict', 'summary', 'progress', 'report'] as const;
export type Step = (typeof STEPS)[number];

export const STEP_TITLES: Record<Step, string> = {
  snapshot: 'Snapshot',
  select: 'Files',
  target: 'Where to',
  conflict: 'Existing files',
  summary: 'Summary',
  progress: 'Restoring',
  report: 'Report',
};

export interface FilterForm {
  pathPrefix: string;
  /** As typed: "jpg, .png". */
  extensions: string;
  nameContains: string;
  /** yyyy-mm-dd from the date inputs, '' for none. */
  since: string;
  until: string;
}

export interface TargetForm {
  kind: 'original' | 'folder' | 'bucket' | 'newBucket';
  folder: string;
  bucket: string;
  prefix: string;
  /** "Another bucket": its settings and secret, held here for this restore only (never saved). */
  newBucket: DestinationForm;
}

export const NO_FILTER: FilterForm = { pathPrefix: '', extensions: '', nameContains: '', since: '', until: '' };

interface WizardState {
  step: Step;
  destination: string;
  /** The snapshot's source, when the destination holds several. */
  source: string;
  snapshotId: string;
  decisions: Decisions;
  filter: FilterForm;
  target: TargetForm;
  conflict: ConflictRule;
  runId: number | null;
  /** Set by a preset from the tree: the wizard opened on one file. */
  presetPath: string | null;

  go(step: Step): void;
  set(patch: Partial<Omit<WizardState, 'go' | 'set' | 'reset' | 'preset'>>): void;
  reset(): void;
  /** One file of one snapshot, straight to "Where to" (from the tree). */
  preset(p: { destination: string; source: string; snapshotId: string; path: string }): void;
}

const START = {
  step: 'snapshot' as Step,
  destination: '',
  source: '',
  snapshotId: '',
  decisions: { '': true } as Decisions,
  filter: NO_FILTER,
  target: { kind: 'folder', folder: '', bucket: '', prefix: '', newBucket: emptyForm('r2') } as TargetForm,
  conflict: 'skip' as ConflictRule,
  runId: null,
  presetPath: null,
};

export const useWizard = create<WizardState>((set) => ({
  ...START,
  go: (step) => set({ step }),
  set: (patch) => set(patch),
  // Another restore usually comes from the same place: the destination and source stay.
  reset: () => set((s) => ({ ...START, destination: s.destination, source: s.source })),
  preset: ({ destination, source, snapshotId, path }) =>
    set({
      ...START,
      step: 'target',
      destination,
      source,
      snapshotId,
      decisions: { [path]: true },
      // A single file usually goes back beside the current one, under a new name.
      conflict: 'keep-both',
      presetPath: path,
    }),
}));
