/**
 * What unsaved ticks would change: the source is walked below the ticked folders (so folders
 * never backed up count too), each file resolved against the policies now and with the ticks
 * applied, and the differences summed per destination. Only the ticked subtrees are read.
 */
import { compilePolicies, type FolderPolicy } from '../../../shared/policy.js';
import { normalizeFolder } from '../../../shared/paths.js';
import { applySelect, isAncestor } from '../../../shared/selection.js';
import type { Source } from '../sources/types.js';

export interface WhatIfTick {
  path: string;
  destId: string;
  include: boolean;
}

export interface SelectionDelta {
  destId: string;
  files: number;
  bytes: number;
}

export async function selectionDelta(
  source: Source,
  policies: readonly FolderPolicy[],
  ticks: WhatIfTick[],
  signal?: AbortSignal,
): Promise<SelectionDelta[]> {
  let after = [...policies];
  const canonical = ticks.map((t) => ({ ...t, path: normalizeFolder(t.path) }));
  for (const t of canonical) after = applySelect(after, t.path, t.destId, t.include);
  const before = compilePolicies(policies);
  const next = compilePolicies(after);
  const roots = canonical.map((t) => t.path);
  const destIds = [...new Set(canonical.map((t) => t.destId))];
  const totals = new Map(destIds.map((id) => [id, { destId: id, files: 0, bytes: 0 }]));
  // Skip whatever is neither inside a ticked folder nor on the way to one.
  const relevant = (path: string): boolean => roots.some((r) => isAncestor(r, path) || isAncestor(path, r));
  for await (const item of source.walk({ isExcluded: (path) => path !== '' && !relevant(path) })) {
    if (signal?.aborted) break;
    if (item.type !== 'file' || !roots.some((r) => isAncestor(r, item.path))) continue;
    const was = before.destinationsFor(item.path, item.size);
    const will = next.destinationsFor(item.path, item.size);
    for (const t of totals.values()) {
      const delta = Number(will.includes(t.destId)) - Number(was.includes(t.destId));
      if (delta === 0) continue;
      t.files += delta;
      t.bytes += delta * item.size;
    }
  }
  return [...totals.values()];
}
