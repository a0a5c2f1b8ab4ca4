/** Sentences about a destination's cost figures, for the breakdown and its tests. Pure. */
import type { DestinationCost } from '../../../shared/api/cost.js';
import { formatBytes, formatCount, formatRelative, plural } from '../format.js';

/** "103.4 GB in 12,345 objects, counted 2 hours ago" or "…, estimated from runs since the last count". */
export function usageWords(usage: DestinationCost['usage'], now: number = Date.now()): string {
  if (usage.at === null) return 'Nothing stored yet';
  const what = `${formatBytes(usage.bytes)} in ${plural(usage.objects, 'object')}`;
  return usage.measured
    ? `${what}, counted ${formatRelative(usage.at, now)}`
    : `${what}, estimated from runs since the last count`;
}

/** The month's traffic in short parts: ["1.2 GB uploaded", "1,234 PUT", …]; [] when there is none. */
export function activityParts(activity: DestinationCost['activity']): string[] {
  const parts: string[] = [];
  if (activity.uploadBytes > 0) parts.push(`${formatBytes(activity.uploadBytes)} uploaded`);
  const requests: [number, string][] = [
    [activity.putRequests, 'PUT'],
    [activity.getRequests, 'GET'],
    [activity.listRequests, 'LIST'],
  ];
  for (const [n, verb] of requests) if (n > 0) parts.push(`${formatCount(Math.round(n))} ${verb}`);
  if (activity.verifyBytes > 0) parts.push(`${formatBytes(activity.verifyBytes)} read back to verify`);
  return parts;
}
