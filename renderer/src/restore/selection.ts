/**
 * The wizard's ticks as decisions on paths: a path takes the decision of its nearest decided
 * ancestor (itself included), nothing decided means not ticked. A folder whose descendants decide
 * otherwise shows "mixed". Pure, the same rule the host applies to `paths` and `exclude`.
 */
import type { Selection } from '../../../shared/api/entities.js';

export type Decisions = Readonly<Record<string, boolean>>;

function isUnder(p: string, folder: string): boolean {
  return folder === '' || p === folder || p.startsWith(`${folder}/`);
}

function parentOf(p: string): string {
  const cut = p.lastIndexOf('/');
  return cut < 0 ? '' : p.slice(0, cut);
}

/** Ticked or not, as decided at or above `path`. */
export function isTicked(decisions: Decisions, path: string): boolean {
  for (let p = path; ; p = parentOf(p)) {
    const d = decisions[p];
    if (d !== undefined) return d;
    if (p === '') return false;
  }
}

/** The checkbox: on, off, or mixed when something below decides the other way. */
export function tickState(decisions: Decisions, path: string): Selection {
  const own = isTicked(decisions, path);
  for (const [p, d] of Object.entries(decisions)) {
    if (p !== path && d !== own && isUnder(p, path)) return 'mixed';
  }
  return own ? 'on' : 'off';
}

/** Ticks or unticks a path and everything below it; only decisions that change something are kept. */
export function setTick(decisions: Decisions, path: string, on: boolean): Decisions {
  const next: Record<string, boolean> = {};
  for (const [p, d] of Object.entries(decisions)) if (!isUnder(p, path)) next[p] = d;
  const inherited = path === '' ? false : isTicked(next, parentOf(path));
  if (inherited !== on) next[path] = on;
  return next;
}

/** The API's form: ticked paths, and unticked ones below a ticked folder. */
export function toPaths(decisions: Decisions): { paths: string[]; exclude: string[] } {
  const paths: string[] = [];
  const exclude: string[] = [];
  for (const [p, d] of Object.entries(decisions)) {
    if (d) paths.push(p);
    else if (p !== '' && isTicked(decisions, parentOf(p))) exclude.push(p);
  }
  return { paths: paths.sort(), exclude: exclude.sort() };
}

/** True when nothing at all is ticked. */
export function nothingTicked(decisions: Decisions): boolean {
  return !Object.values(decisions).some(Boolean);
}
