/**
 * The words and next runs of the schedule being edited, from `schedules.preview`, asked for a
 * moment after the last change (typing a cron expression asks once, not per key). An answer for a
 * schedule no longer shown is dropped.
 */
import { useEffect, useState } from 'react';
import type { SchedulePreview } from '../../../shared/api/entities.js';
import type { ScheduleSpec } from '../../../shared/schedule.js';
import { api } from '../api/client.js';

export const PREVIEW_DELAY_MS = 300;

export interface PreviewState {
  /** The answer for the schedule shown now, once it came. */
  preview: SchedulePreview | null;
  /** The host refused it (a malformed cron is an ApiError with code 'usage'), or could not be reached. */
  error: unknown;
  /** Waiting for the answer to the schedule shown now. */
  pending: boolean;
}

interface Answer {
  key: string;
  preview: SchedulePreview | null;
  error: unknown;
}

export function useSchedulePreview(spec: ScheduleSpec | undefined): PreviewState {
  const key = spec ? JSON.stringify(spec) : '';
  const [answer, setAnswer] = useState<Answer>({ key: '', preview: null, error: null });

  useEffect(() => {
    if (!key) return;
    let stale = false;
    const timer = setTimeout(() => {
      api()
        .call('schedules.preview', { schedule: JSON.parse(key) as ScheduleSpec })
        .then(
          (preview) => !stale && setAnswer({ key, preview, error: null }),
          (error: unknown) => !stale && setAnswer({ key, preview: null, error }),
        );
    }, PREVIEW_DELAY_MS);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [key]);

  if (!key || answer.key !== key) return { preview: null, error: null, pending: Boolean(key) };
  return { preview: answer.preview, error: answer.error, pending: false };
}
