/**
 * A verify run's progress as the host reports it in ActiveRun.total: filesScanned = stored
 * versions checked, filesToSend = versions to check, bytesSent = bytes read (deep only).
 * Nothing checked yet means the snapshots' manifests are still being read: the total is not
 * known, so the bar is indeterminate rather than "0 of 2".
 */
import type { Progress } from '../../../shared/api/entities.js';
import { formatBytes, formatCount, percent } from '../format.js';

export function verifyValue(p: Progress): number | undefined {
  return p.filesScanned > 0 ? percent(p.filesScanned, p.filesToSend) : undefined;
}

/** "Verifying: 12 of 340 stored versions checked". */
export function verifyWords(p: Progress): string {
  if (p.filesScanned === 0) return 'Verifying: reading the snapshots…';
  return `Verifying: ${formatCount(p.filesScanned)} of ${formatCount(p.filesToSend)} stored versions checked`;
}

/** "1.2 MB read", or nothing while nothing was downloaded (a quick check never downloads). */
export function bytesReadWords(p: Progress): string | null {
  return p.bytesSent > 0 ? `${formatBytes(p.bytesSent)} read` : null;
}
