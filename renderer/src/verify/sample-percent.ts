/**
 * The deep check's sample, typed as a percent: whole numbers from 1 to 100. The host takes
 * fractions too, but a person choosing "how much to read this time" thinks in whole percents.
 */

export const FULL_SAMPLE = 100;

/** What is wrong with the typed percent, or undefined when it is fine. */
export function samplePercentProblem(text: string): string | undefined {
  return parseSamplePercent(text) === undefined ? 'Give a whole percent from 1 to 100' : undefined;
}

/** "25" or "25%" → 25; anything else → undefined. */
export function parseSamplePercent(text: string): number | undefined {
  const t = text.trim().replace(/%$/, '').trim();
  if (!/^\d{1,3}$/.test(t)) return undefined;
  const n = Number(t);
  return n >= 1 && n <= FULL_SAMPLE ? n : undefined;
}
