/** Verification results in words, shared by the dashboard card and the report. */
import type { DestinationSummary, VerifyProblem, VerifyReport } from '../../../shared/api/entities.js';
import type { Tone } from '../components/StatusPill.js';
import { plural } from '../format.js';

export type LastVerification = NonNullable<DestinationSummary['lastVerification']>;

const KIND_WORDS: Record<VerifyProblem['kind'], string> = {
  missing: 'Missing',
  size: 'Wrong size',
  checksum: 'Content changed',
  unreadable: 'Could not be read',
};

export function problemKindWords(kind: VerifyProblem['kind']): string {
  return KIND_WORDS[kind];
}

/** "Quick check" / "Deep check". */
export function checkName(mode: VerifyReport['mode']): string {
  return mode === 'deep' ? 'Deep check' : 'Quick check';
}

/** What a check did, for the report: "Quick: sizes and checksums, no download". */
export function modeWords(mode: VerifyReport['mode'], samplePercent: number): string {
  if (mode === 'quick') return 'Quick: sizes and checksums, no download';
  return samplePercent >= 100
    ? 'Deep: everything downloaded and re-hashed'
    : `Deep: ${samplePercent}% downloaded and re-hashed (the next deep check reads the next share)`;
}

/** "3 versions missing or damaged". */
export function problemsWords(count: number): string {
  return `${plural(count, 'version')} missing or damaged`;
}

/** How a finished check ended, after its name and time: "intact", "1 version missing or damaged", "could not run (…)". */
export function outcomeWords(v: Pick<LastVerification, 'status' | 'problems' | 'error'>): { text: string; tone: Tone } {
  switch (v.status) {
    case 'ok':
      return { text: 'intact', tone: 'ok' };
    case 'failed':
      return { text: problemsWords(v.problems), tone: 'err' };
    case 'error':
      return { text: v.error ? `could not run (${v.error})` : 'could not run', tone: 'err' };
  }
}
