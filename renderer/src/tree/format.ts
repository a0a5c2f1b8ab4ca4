/** Words and figures the tree shows: badge labels and tooltips, sizes, paths. Pure. */
import type { Badge, BadgeState, StateCounts } from '../../../shared/api/entities.js';

export const BADGE_WORDS: Record<BadgeState, string> = {
  synced: 'Synced',
  pending: 'Pending',
  failed: 'Failed',
  excluded: 'Excluded',
  none: 'Not backed up',
};

/** The short text inside the badge (fixed width, so kept to a word or a count). */
const BADGE_SHORT: Record<BadgeState, string> = {
  synced: 'Synced',
  pending: 'Pending',
  failed: 'Failed',
  excluded: 'Excluded',
  none: '—',
};

/** '/' for the root, else '/a/b'. */
export function displayPath(path: string): string {
  return path === '' ? '/' : `/${path}`;
}

/** 1.2k, 35k, 1.4M: counts that fit a narrow badge. */
export function compactCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 10_000) return `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  if (n < 1_000_000) return `${Math.round(n / 1000)}k`;
  return `${(n / 1_000_000).toFixed(1).replace(/\.0$/, '')}M`;
}

/** Sizes in base 1000, as everywhere in the app. */
export { formatBytes } from '../../../shared/format-bytes.js';

export function formatTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** "120 synced · 3 pending · 1 failed": the non-zero counts, or '' when all are zero. */
export function countsText(counts: StateCounts | undefined): string {
  if (!counts) return '';
  const parts: string[] = [];
  for (const k of ['synced', 'pending', 'failed', 'excluded'] as const) {
    if (counts[k] > 0) parts.push(`${counts[k].toLocaleString()} ${k}`);
  }
  return parts.join(' · ');
}

/** The text inside the badge: a folder with failed or pending files below shows how many. */
export function badgeText(badge: Badge, isFolder: boolean): string {
  const c = badge.counts;
  if (isFolder && c) {
    if (c.failed > 0) return `${compactCount(c.failed)} failed`;
    if (c.pending > 0) return `${compactCount(c.pending)} pending`;
  }
  return BADGE_SHORT[badge.state];
}

/** The state the badge's colour shows: a folder with failures below reads as failed, with pending as pending. */
export function badgeTone(badge: Badge, isFolder: boolean): BadgeState {
  const c = badge.counts;
  if (isFolder && c && badge.state !== 'excluded' && badge.state !== 'none') {
    if (c.failed > 0) return 'failed';
    if (c.pending > 0 && badge.state === 'synced') return 'pending';
  }
  return badge.state;
}

/** The tooltip: the state in words, the error and when it happened, a folder's counts. */
export function badgeTooltip(destName: string, badge: Badge, isFolder: boolean): string {
  const lines = [`${destName}: ${BADGE_WORDS[badge.state]}`];
  if (badge.state === 'failed' && badge.error) lines.push(badge.error);
  if (badge.at !== undefined && badge.state === 'failed') lines.push(`at ${formatTime(badge.at)}`);
  else if (badge.at !== undefined && badge.state === 'synced') lines.push(`last sent ${formatTime(badge.at)}`);
  if (isFolder) {
    const counts = countsText(badge.counts);
    if (counts) lines.push(counts);
  }
  return lines.join('\n');
}
