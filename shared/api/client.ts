/**
 * The typed client both hosts' transports plug into. The renderer calls `api.call('x.y', input)`
 * and never knows whether HTTP or Electron IPC carries it.
 */
import { ApiErrorBody } from './entities.js';
import type { EventName, EventOf, InputOf, MethodName, OutputOf } from './contract.js';

/** A failed call, as the host described it: safe to show (never carries secrets). */
export class ApiError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly field: string | undefined;
  constructor(body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.code = body.code;
    this.hint = body.hint;
    this.field = body.field;
  }
  /** "message: hint", for a toast or a line of text. */
  get full(): string {
    return this.hint ? `${this.message}: ${this.hint}` : this.message;
  }
}

/** How calls and events travel: HTTP + WebSocket headless, IPC in the desktop app. */
export interface Transport {
  /** Resolves with the output or rejects with an ApiError. */
  call(method: MethodName, input: unknown): Promise<unknown>;
  /** Every event frame; returns an unsubscribe function. */
  subscribe(listener: (event: EventName, data: unknown) => void): () => void;
  /** Connection state changes (lost, back), so the UI can say so. */
  onConnection?(listener: (connected: boolean) => void): () => void;
}

export interface StrataClient {
  call<M extends MethodName>(
    method: M,
    ...input: keyof InputOf<M> extends never ? [InputOf<M>?] : [InputOf<M>]
  ): Promise<OutputOf<M>>;
  on<E extends EventName>(event: E, listener: (data: EventOf<E>) => void): () => void;
  onConnection(listener: (connected: boolean) => void): () => void;
}

export function createClient(transport: Transport): StrataClient {
  const listeners = new Map<EventName, Set<(data: never) => void>>();
  transport.subscribe((event, data) => {
    for (const l of listeners.get(event) ?? []) (l as (d: unknown) => void)(data);
  });
  return {
    call: (async (method: MethodName, input?: unknown) => transport.call(method, input ?? {})) as StrataClient['call'],
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (data: never) => void);
      return () => set.delete(listener as (data: never) => void);
    },
    onConnection(listener) {
      return transport.onConnection?.(listener) ?? (() => undefined);
    },
  };
}

/** Turns whatever came back as an error body into an ApiError (a garbled body still says something). */
export function toApiError(body: unknown, fallback: string): ApiError {
  const parsed = ApiErrorBody.safeParse(body);
  return new ApiError(parsed.success ? parsed.data : { code: 'internal', message: fallback });
}
