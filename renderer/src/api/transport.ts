/**
 * Picks how the renderer reaches its host. The desktop app's preload exposes `window.strataBridge`
 * (IPC); otherwise the page was served by `strata serve`, which put a token in the URL fragment.
 */
import { ApiError, toApiError, type Transport } from '../../../shared/api/client.js';
import type { EventName, MethodName } from '../../../shared/api/contract.js';

export interface StrataBridge {
  call(method: string, input: unknown): Promise<{ ok: true; result: unknown } | { ok: false; error: unknown }>;
  subscribe(listener: (event: string, data: unknown) => void): () => void;
}

declare global {
  interface Window {
    strataBridge?: StrataBridge;
  }
}

const TOKEN_KEY = 'strata.token';

/** The token arrives once in the fragment (never sent to the server in a URL); it is kept for reloads of this tab. */
export function takeToken(): string | undefined {
  const m = /(?:^|[#&])token=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, m[1]!);
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return m[1];
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function ipcTransport(bridge: StrataBridge): Transport {
  return {
    async call(method, input) {
      const reply = await bridge.call(method, input);
      if (reply.ok) return reply.result;
      throw toApiError(reply.error, `${method} failed`);
    },
    subscribe(listener) {
      return bridge.subscribe((event, data) => listener(event as EventName, data));
    },
  };
}

export function httpTransport(token: string | undefined, base = window.location.origin): Transport {
  const eventListeners = new Set<(event: EventName, data: unknown) => void>();
  const connectionListeners = new Set<(connected: boolean) => void>();
  let socket: WebSocket | undefined;
  let retry = 500;

  const connect = (): void => {
    const url = new URL('/api/events', base);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('token', token ?? '');
    socket = new WebSocket(url);
    socket.onopen = () => {
      retry = 500;
      connectionListeners.forEach((l) => l(true));
    };
    socket.onmessage = (m) => {
      try {
        const frame = JSON.parse(String(m.data)) as { event: EventName; data: unknown };
        eventListeners.forEach((l) => l(frame.event, frame.data));
      } catch {
        // A frame that is not JSON is not ours; ignore it.
      }
    };
    socket.onclose = () => {
      connectionListeners.forEach((l) => l(false));
      // The host restarts or the laptop sleeps: reconnect with backoff, capped at 10 s.
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10_000);
    };
  };

  return {
    async call(method: MethodName, input: unknown) {
      let res: Response;
      try {
        res = await fetch(new URL(`/api/call/${method}`, base), {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token ?? ''}` },
          body: JSON.stringify(input ?? {}),
        });
      } catch {
        throw new ApiError({
          code: 'network',
          message: 'Strata is not reachable',
          hint: 'check that `strata serve` is still running, then reload',
        });
      }
      const body = (await res.json().catch(() => undefined)) as
        { ok: true; result: unknown } | { ok: false; error: unknown } | undefined;
      if (res.ok && body?.ok) return body.result;
      if (res.status === 401) {
        throw new ApiError({
          code: 'auth',
          message: 'this page is not signed in to Strata',
          hint: 'open the address `strata serve` printed (it carries the token)',
        });
      }
      throw toApiError(body && !body.ok ? body.error : undefined, `${method} failed (HTTP ${res.status})`);
    },
    subscribe(listener) {
      eventListeners.add(listener);
      if (!socket) connect();
      return () => eventListeners.delete(listener);
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
  };
}

export function defaultTransport(): Transport {
  return window.strataBridge ? ipcTransport(window.strataBridge) : httpTransport(takeToken());
}
