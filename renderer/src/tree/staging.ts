/**
 * Ticks waiting for "Save changes": an ordered list of `policies.select` calls not sent yet, and
 * the checkboxes they would give, worked out from the saved folder policies with the engine's own
 * rules (shared/selection.ts). Pure: no React, no API.
 */
import type { FolderPolicy } from '../../../shared/policy.js';
import { applySelect, isAncestor, selectionOf, type Selection } from '../../../shared/selection.js';

/** One tick or untick as `policies.select` takes it, with the destination's id for the policies. */
export interface StagedChange {
  path: string;
  destId: string;
  destination: string;
  include: boolean;
}

/** The destination decisions of one folder policy (rules play no part in ticks: `excludes` stays empty). */
export type Decisions = FolderPolicy;

export function decisions(policies: readonly { folder: string; destinations: Record<string, boolean> }[]): Decisions[] {
  return policies.map((p) => ({ folder: p.folder, destinations: p.destinations, excludes: [] }));
}

/** The same edit `policies.select` makes (shared with the engine's what-if). */
export function applyChange(policies: readonly Decisions[], change: StagedChange): Decisions[] {
  return applySelect(policies, change.path, change.destId, change.include);
}

/** The saved policies with every staged change applied in order. */
export function stagedPolicies(saved: readonly Decisions[], changes: readonly StagedChange[]): Decisions[] {
  return changes.reduce<Decisions[]>((acc, c) => applyChange(acc, c), [...saved]);
}

/** One destination's decisions as a comparable key: folder → include, sorted. */
function decisionsOf(policies: readonly Decisions[], destId: string): string {
  return policies
    .filter((p) => p.destinations[destId] !== undefined)
    .map((p) => `${p.folder}\0${p.destinations[destId] ? 1 : 0}`)
    .sort()
    .join('\n');
}

/**
 * Adds a tick to the staged list. A tick that changes nothing is dropped; one that covers earlier
 * ticks of the same destination below it replaces them (saving would undo them anyway); and when
 * a destination's ticks come back to what is saved, its changes go (ticking back removes the change).
 */
export function stage(
  saved: readonly Decisions[],
  changes: readonly StagedChange[],
  next: StagedChange,
): StagedChange[] {
  const before = stagedPolicies(saved, changes);
  const after = applyChange(before, next);
  if (decisionsOf(before, next.destId) === decisionsOf(after, next.destId)) return [...changes];
  const kept = changes.filter((c) => c.destId !== next.destId || !isAncestor(next.path, c.path));
  if (decisionsOf(saved, next.destId) === decisionsOf(after, next.destId)) {
    return kept.filter((c) => c.destId !== next.destId);
  }
  return [...kept, next];
}

/** What the tree draws while changes wait: the staged policies and the destinations they touch. */
export interface StagedView {
  policies: Decisions[];
  destIds: ReadonlySet<string>;
}

export function stagedView(saved: readonly Decisions[], changes: readonly StagedChange[]): StagedView | null {
  if (changes.length === 0) return null;
  return { policies: stagedPolicies(saved, changes), destIds: new Set(changes.map((c) => c.destId)) };
}

/** A checkbox as staged (undefined stays undefined: the destination does not apply to the row). */
export function shownSelection(
  view: StagedView | null,
  path: string,
  destId: string,
  loaded: Selection | undefined,
): Selection | undefined {
  if (!view || loaded === undefined || !view.destIds.has(destId)) return loaded;
  return selectionOf(view.policies, path, destId);
}
