/**
 * The desktop host of the API: every call from the window arrives on one channel and goes to
 * the same `StrataService.handle` the headless host uses, so both validate with the contract's
 * schemas and neither can grow a method the other lacks. Events go back the other way.
 */
import { EVENT_NAMES, type EventName } from '../../shared/api/contract.js';
import type { Reply, StrataService } from '../engine/service.js';
import { CALL_CHANNEL, EVENT_CHANNEL } from './channels.js';

/** What of ipcMain this needs (injected, so it is tested without Electron). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => Promise<unknown> | unknown): void;
  removeHandler(channel: string): void;
}

export interface IpcEventLike {
  senderFrame?: { url: string } | null;
}

export interface WireOptions {
  /** Only the app's own pages may call (a navigated-away or injected frame may not). */
  isTrustedUrl(url: string): boolean;
  /** Delivers an event to the window(s). */
  send(channel: string, event: EventName, data: unknown): void;
}

const EVENTS = new Set<string>(EVENT_NAMES);

export function wireIpc(ipc: IpcMainLike, service: StrataService, opts: WireOptions): () => void {
  ipc.handle(CALL_CHANNEL, async (event, method, input): Promise<Reply> => {
    const url = event.senderFrame?.url ?? '';
    if (!opts.isTrustedUrl(url)) {
      return { ok: false, error: { code: 'forbidden', message: 'calls are accepted only from Strata’s own pages' } };
    }
    if (typeof method !== 'string') {
      return { ok: false, error: { code: 'usage', message: 'the method name must be a string' } };
    }
    return service.handle(method, input);
  });
  const unsubscribe = service.subscribe((event, data) => {
    if (EVENTS.has(event)) opts.send(EVENT_CHANNEL, event, data);
  });
  return () => {
    unsubscribe();
    ipc.removeHandler(CALL_CHANNEL);
  };
}
