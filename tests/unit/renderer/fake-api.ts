/** A fake host for renderer tests: canned answers per method, recorded calls, and events pushed by the test. */
import { act } from '@testing-library/react';
import { ApiError, createClient, type Transport } from '../../../shared/api/client.js';
import type { EventName, EventOf, InputOf, MethodName, OutputOf } from '../../../shared/api/contract.js';
import type {
  ActiveRun,
  Dashboard,
  DestinationInfo,
  DestinationSummary,
  PlanInfo,
  Progress,
  Settings,
  SourceInfo,
} from '../../../shared/api/entities.js';
import { destinationSummary } from '../../support/api-fixtures.js';
import { describeRetention } from '../../../shared/retention.js';
import { DEFAULT_VERIFY_PLAN, describeVerifyPlan } from '../../../shared/verify-plan.js';
import { describeSchedule } from '../../../shared/schedule.js';
import { setClient } from '../../../renderer/src/api/client.js';

export type Handlers = {
  [M in MethodName]?: (input: InputOf<M>) => OutputOf<M> | Promise<OutputOf<M>>;
};

export interface FakeApi {
  calls: { method: MethodName; input: unknown }[];
  callsOf<M extends MethodName>(method: M): InputOf<M>[];
  emit<E extends EventName>(event: E, data: EventOf<E>): void;
  setConnected(connected: boolean): void;
  handlers: Handlers;
}

export function installFakeApi(handlers: Handlers): FakeApi {
  const calls: FakeApi['calls'] = [];
  const listeners = new Set<(event: EventName, data: unknown) => void>();
  const connection = new Set<(connected: boolean) => void>();
  const transport: Transport = {
    async call(method, input) {
      calls.push({ method, input });
      const handler = handlers[method] as ((input: unknown) => unknown) | undefined;
      if (!handler) throw new ApiError({ code: 'internal', message: `the fake has no answer for ${method}` });
      return handler(input);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onConnection(listener) {
      connection.add(listener);
      return () => connection.delete(listener);
    },
  };
  setClient(createClient(transport));
  return {
    calls,
    handlers,
    callsOf: <M extends MethodName>(method: M) =>
      calls.filter((c) => c.method === method).map((c) => c.input as InputOf<M>),
    emit(event, data) {
      act(() => listeners.forEach((l) => l(event, data)));
    },
    setConnected(connected) {
      act(() => connection.forEach((l) => l(connected)));
    },
  };
}

export const HOME = '/home/ada';

export function folders(path: string) {
  return {
    path,
    parent: path === '/' ? null : path.replace(/\/[^/]+$/, '') || '/',
    home: HOME,
    folders: path === HOME ? [{ name: 'Documents', path: `${HOME}/Documents` }] : [],
  };
}

export const settings: Settings = {
  dataFolder: '/home/ada/.config/strata',
  concurrency: 4,
  bandwidthLimit: null,
  launchAtLogin: false,
  notifyOnSuccess: false,
  skipOnBattery: false,
  schedulesPaused: false,
  webhookConfigured: false,
  webhookStyle: 'chat',
  theme: 'system',
};

export const appInfo = (firstRun: boolean) => ({
  version: '0.1.0',
  host: 'headless' as const,
  platform: 'linux',
  dataFolder: settings.dataFolder,
  firstRun,
  secretStore: 'passphrase vault',
});

export const source: SourceInfo = {
  id: 's1',
  name: 'Documents',
  kind: 'local',
  path: `${HOME}/Documents`,
  createdAt: 1,
};

export const localDestination: DestinationInfo = {
  id: 'd1',
  name: 'usb-disk',
  provider: 'local',
  label: '/media/usb/strata',
  settings: { kind: 'local', path: '/media/usb/strata' },
  secretSaved: false,
  createdAt: 1,
};

export const b2Destination: DestinationInfo = {
  id: 'd2',
  name: 'b2-offsite',
  provider: 'b2',
  label: 'ada-backups/laptop',
  settings: {
    kind: 's3',
    provider: 'b2',
    bucket: 'ada-backups',
    prefix: 'laptop',
    region: 'us-west-004',
    accessKeyId: '004abc',
  },
  secretSaved: true,
  createdAt: 2,
};

export function summary(over: Partial<DestinationSummary>): DestinationSummary {
  return destinationSummary(over);
}

export function progress(over: Partial<Progress>): Progress {
  return {
    phase: 'transfer',
    filesScanned: 0,
    bytesScanned: 0,
    filesToSend: 0,
    bytesToSend: 0,
    filesSent: 0,
    bytesSent: 0,
    filesFailed: 0,
    scanDone: true,
    bytesPerSecond: 0,
    ...over,
  };
}

export function activeRun(perDestination: Record<string, Progress>, over: Partial<ActiveRun> = {}): ActiveRun {
  const all = Object.values(perDestination);
  return {
    runId: 7,
    trigger: 'manual',
    startedAt: Date.now() - 60_000,
    destinations: Object.keys(perDestination),
    cancelling: false,
    total: all[0] ?? progress({}),
    perDestination,
    ...over,
  };
}

/** A destination's plan as `plans.get` answers it; by default manual, keeping everything, 48 h. */
export function planInfo(over: Partial<PlanInfo> = {}): PlanInfo {
  const schedule = over.schedule ?? { kind: 'manual' };
  const retention = over.retention ?? {};
  return {
    destination: 'usb-disk',
    schedule,
    scheduleSummary: describeSchedule(schedule),
    nextRuns: [],
    timeZone: 'UTC',
    retention,
    retentionSummary: describeRetention(retention),
    staleAfterHours: 48,
    verify: DEFAULT_VERIFY_PLAN,
    verifySummary: describeVerifyPlan(DEFAULT_VERIFY_PLAN),
    ...over,
  };
}

/** A dashboard with nothing configured yet. */
export function emptyDashboard(): Dashboard {
  return { sources: 0, destinations: [], active: null, schedulesPaused: false, timeZone: 'UTC', alerts: [] };
}
