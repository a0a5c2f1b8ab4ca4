/**
 * One Google sign-in for a Drive source, new or reconnecting: `sources.gdrive.signIn` gives an
 * attempt and Google's URL; the URL opens in a new tab; `sources.gdrive.status` is polled until the
 * engine's loopback has Google's answer (done or failed). Leaving (unmount) cancels a waiting
 * attempt, so the engine stops listening for a sign-in nobody is watching.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { InputOf } from '../../../shared/api/contract.js';
import type { SourceInfo } from '../../../shared/api/entities.js';
import { api } from '../api/client.js';
import { useAction } from '../components/useAction.js';

export const POLL_MS = 700;

export type DriveSignInState =
  | { phase: 'idle' }
  | { phase: 'waiting'; attempt: string; url: string }
  /** `error` is Google's or the engine's reason, or the call that failed. */
  | { phase: 'failed'; error: unknown };

export interface DriveSignIn {
  state: DriveSignInState;
  start: (input: InputOf<'sources.gdrive.signIn'>) => Promise<void>;
  starting: boolean;
  /** `sources.gdrive.signIn` itself failed (a bad client id, a name in use…). */
  startError: unknown;
  cancel: () => Promise<void>;
  cancelError: unknown;
  /** Back to idle, forgetting errors (a dialog closed). */
  reset: () => void;
}

export function useDriveSignIn(onDone: (source: SourceInfo) => void): DriveSignIn {
  const [state, setState] = useState<DriveSignInState>({ phase: 'idle' });
  const onDoneRef = useRef(onDone);
  useLayoutEffect(() => {
    onDoneRef.current = onDone;
  });
  // What the unmount cleanup and the poller need to know: one object, mutated, never replaced (the
  // cleanup holds on to it from the first render).
  const live = useRef({ attempt: null as string | null, name: '' });

  const startAction = useAction(async (input: InputOf<'sources.gdrive.signIn'>) => {
    setState({ phase: 'idle' });
    const { attempt, url } = await api().call('sources.gdrive.signIn', input);
    live.current.attempt = attempt;
    live.current.name = input.name;
    // noopener: Google's page gets no handle on this one. The link shown meanwhile covers a blocked popup.
    window.open(url, '_blank', 'noopener,noreferrer');
    setState({ phase: 'waiting', attempt, url });
  });

  const cancelAction = useAction(async () => {
    const attempt = live.current.attempt;
    if (!attempt) return;
    // Stop waiting at once, whatever the host answers: the user asked to stop.
    live.current.attempt = null;
    setState({ phase: 'idle' });
    await api().call('sources.gdrive.cancel', { attempt });
  });

  const attempt = state.phase === 'waiting' ? state.attempt : null;
  useEffect(() => {
    if (!attempt) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (next: DriveSignInState) => {
      live.current.attempt = null;
      setState(next);
    };
    const poll = async () => {
      try {
        const status = await api().call('sources.gdrive.status', { attempt });
        if (stopped) return;
        if (status.state === 'waiting') {
          timer = setTimeout(() => void poll(), POLL_MS);
        } else if (status.state === 'failed') {
          finish({ phase: 'failed', error: status.error ?? 'Google did not finish the sign-in' });
        } else {
          const source = status.source ?? (await findSource(live.current.name));
          if (stopped) return;
          finish({ phase: 'idle' });
          onDoneRef.current(source);
        }
      } catch (err) {
        if (!stopped) finish({ phase: 'failed', error: err });
      }
    };
    timer = setTimeout(() => void poll(), POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [attempt]);

  useEffect(() => {
    const current = live.current;
    return () => {
      // Nobody is left to show an error to: the attempt also ends on its own at the host.
      if (current.attempt)
        void api()
          .call('sources.gdrive.cancel', { attempt: current.attempt })
          .catch(() => undefined);
    };
  }, []);

  const { clearError: clearStartError } = startAction;
  const { clearError: clearCancelError } = cancelAction;
  return {
    state,
    start: async (input) => {
      await startAction.run(input);
    },
    starting: startAction.busy,
    startError: startAction.error,
    cancel: async () => {
      await cancelAction.run();
    },
    cancelError: cancelAction.error,
    reset: () => {
      clearStartError();
      clearCancelError();
      if (live.current.attempt) void cancelAction.run();
      else setState({ phase: 'idle' });
    },
  };
}

/** A finished sign-in whose status carried no source: the source is the one of that name. */
async function findSource(name: string): Promise<SourceInfo> {
  const found = (await api().call('sources.list', {})).find((s) => s.name === name);
  if (!found) throw new Error(`The sign-in finished but Strata lists no source named ${name}`);
  return found;
}
