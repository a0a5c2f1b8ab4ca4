/**
 * The only bridge between the page and the main process (sandboxed, context-isolated): two
 * functions on `window.strataBridge`. No ipcRenderer, no Node, no electron module reaches the
 * page; unknown method names never leave the preload.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_NAMES, METHOD_NAMES } from '../../shared/api/contract.js';
import { CALL_CHANNEL, EVENT_CHANNEL } from './channels.js';

const methods = new Set<string>(METHOD_NAMES);
const events = new Set<string>(EVENT_NAMES);

contextBridge.exposeInMainWorld('strataBridge', {
  call(method: unknown, input: unknown): Promise<unknown> {
    if (typeof method !== 'string' || !methods.has(method)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'not-found', message: `no API method '${String(method).slice(0, 60)}'` },
      });
    }
    return ipcRenderer.invoke(CALL_CHANNEL, method, input);
  },
  subscribe(listener: (event: string, data: unknown) => void): () => void {
    const handler = (_e: IpcRendererEvent, event: unknown, data: unknown): void => {
      if (typeof event === 'string' && events.has(event)) listener(event, data);
    };
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, handler);
    };
  },
});
