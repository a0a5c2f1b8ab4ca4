import type { RunStatus } from '../../../shared/api/entities.js';

export type Tone = 'ok' | 'warn' | 'err' | 'idle' | 'run';

const RUN_STATUS: Record<RunStatus, { text: string; tone: Tone }> = {
  running: { text: 'Running', tone: 'run' },
  ok: { text: 'OK', tone: 'ok' },
  partial: { text: 'Partly failed', tone: 'warn' },
  failed: { text: 'Failed', tone: 'err' },
  interrupted: { text: 'Interrupted', tone: 'err' },
  cancelled: { text: 'Cancelled', tone: 'idle' },
};

export function runStatusWords(status: RunStatus): { text: string; tone: Tone } {
  return RUN_STATUS[status];
}

export function Pill({ tone, children }: { tone: Tone; children: React.ReactNode }) {
  return <span className={`pill pill-${tone}`}>{children}</span>;
}

export function RunStatusPill({ status }: { status: RunStatus }) {
  const { text, tone } = RUN_STATUS[status];
  return <Pill tone={tone}>{text}</Pill>;
}
