/**
 * Google sign-ins started from the UI, by attempt id: the UI polls until the browser came back.
 * A finished attempt is kept a while so a slow poll still learns how it ended.
 */
import { randomBytes } from 'node:crypto';
import { describeError, StrataError } from '../../../../shared/errors.js';
import type { SourceRecord } from '../../store/catalog.js';
import type { DriveConnectAttempt } from './drive-connect.js';

export type AttemptState =
  { state: 'waiting' } | { state: 'done'; source: SourceRecord } | { state: 'failed'; error: string };

interface Tracked {
  status: AttemptState;
  cancel(): void;
  endedAt?: number;
}

const KEEP_ENDED_MS = 10 * 60_000;

export class SignInAttempts {
  private readonly attempts = new Map<string, Tracked>();

  track(attempt: DriveConnectAttempt, onDone: (rec: SourceRecord) => void): string {
    this.sweep();
    const id = randomBytes(12).toString('hex');
    const tracked: Tracked = { status: { state: 'waiting' }, cancel: attempt.cancel };
    this.attempts.set(id, tracked);
    attempt.done.then(
      (source) => {
        tracked.status = { state: 'done', source };
        tracked.endedAt = Date.now();
        onDone(source);
      },
      (err: unknown) => {
        tracked.status = { state: 'failed', error: describeError(err) };
        tracked.endedAt = Date.now();
      },
    );
    return id;
  }

  status(id: string): AttemptState {
    const t = this.attempts.get(id);
    if (!t)
      throw new StrataError(
        'not-found',
        'this Google sign-in is not known (Strata restarted, or it ended long ago)',
        'start the sign-in again',
      );
    return t.status;
  }

  cancel(id: string): void {
    this.attempts.get(id)?.cancel();
  }

  /** On shutdown: no loopback listener outlives the host. */
  cancelAll(): void {
    for (const t of this.attempts.values()) if (t.status.state === 'waiting') t.cancel();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, t] of this.attempts) if (t.endedAt && now - t.endedAt > KEEP_ENDED_MS) this.attempts.delete(id);
  }
}
