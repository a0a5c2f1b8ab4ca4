import type { DestinationDraft, DestinationSummary } from '../../shared/api/entities.js';

/** A destination as the dashboard reports it, with nothing backed up yet; tests override what matters. */
export function destinationSummary(over: Partial<DestinationSummary> = {}): DestinationSummary {
  return {
    id: 'd1',
    name: 'usb-disk',
    provider: 'local',
    label: '/media/usb/strata',
    lastSuccessAt: null,
    lastRunAt: null,
    lastStatus: null,
    lastError: null,
    recentRuns: 0,
    recentSucceeded: 0,
    filesStored: 0,
    bytesStored: 0,
    filesFailed: 0,
    filesPending: 0,
    consecutiveFailures: 0,
    averageDurationMs: null,
    growthPerWeek: null,
    scheduleKind: 'manual',
    scheduleSummary: 'Manual only (Back up now)',
    nextRunAt: null,
    retentionSummary: 'Keeps everything',
    alerts: [],
    ...over,
  };
}

/** S3 destination settings pointing nowhere reachable (port 9): for tests of saving, not sending. */
export function unreachableS3(secretAccessKey = 'the-secret'): DestinationDraft {
  return {
    kind: 's3',
    provider: 'other',
    bucket: 'bucket-x',
    prefix: '',
    endpoint: 'http://127.0.0.1:9',
    accessKeyId: 'AKID',
    secretAccessKey,
  };
}
