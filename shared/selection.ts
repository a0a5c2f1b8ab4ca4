/**
 * The tree's checkboxes from folder policies: whether a path goes to a destination, and whether
 * something below decides differently ("mixed"). Pure, so the host and tests share it.
 */
import type { FolderPolicy } from './policy.js';

export type Selection = 'on' | 'off' | 'mixed';

/** The decision a path inherits from its strict ancestors (false when none decides: nothing is sent by default). */
export function inheritedInclude(policies: readonly FolderPolicy[], path: string, destId: string): boolean {
  let best: { depth: number; include: boolean } | undefined;
  for (const p of policies) {
    const include = p.destinations[destId];
    if (include === undefined || p.folder === path || !isAncestor(p.folder, path)) continue;
    const depth = p.folder === '' ? 0 : p.folder.split('/').length;
    if (!best || depth > best.depth) best = { depth, include };
  }
  return best?.include ?? false;
}

/** On or off as decided at or above `path`; mixed when a policy below it decides the other way. */
export function selectionOf(policies: readonly FolderPolicy[], path: string, destId: string): Selection {
  const own = policies.find((p) => p.folder === path)?.destinations[destId];
  const effective = own ?? inheritedInclude(policies, path, destId);
  for (const p of policies) {
    const d = p.destinations[destId];
    if (d !== undefined && d !== effective && p.folder !== path && isAncestor(path, p.folder)) return 'mixed';
  }
  return effective ? 'on' : 'off';
}

/** True when `folder` is `path` itself or above it ('' is above everything). */
export function isAncestor(folder: string, path: string): boolean {
  if (folder === '') return true;
  return path === folder || (path.length > folder.length && path.startsWith(folder) && path[folder.length] === '/');
}

/**
 * A tick as `policies.select` saves it, on a copy: the folder decides for the destination and
 * everything below follows (their own decisions for it are dropped); a decision equal to what the
 * folder inherits is dropped too. Lets a what-if see the policies a tick would leave.
 */
export function applySelect(
  policies: readonly FolderPolicy[],
  folder: string,
  destId: string,
  include: boolean,
): FolderPolicy[] {
  const inherited = inheritedInclude(policies, folder, destId);
  let found = false;
  const out = policies.map((p) => {
    if (p.folder !== folder && !isAncestor(folder, p.folder)) return p;
    const destinations = { ...p.destinations };
    delete destinations[destId];
    if (p.folder === folder) {
      found = true;
      if (include !== inherited) destinations[destId] = include;
    }
    return { ...p, destinations };
  });
  if (!found && include !== inherited) out.push({ folder, destinations: { [destId]: include }, excludes: [] });
  return out;
}
