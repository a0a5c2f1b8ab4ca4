/** Any thrown value as words for the user: an ApiError's message and hint, or an Error's message. */
import { ApiError } from '../../../shared/api/client.js';

export interface ErrorWords {
  message: string;
  hint: string | undefined;
}

export function errorWords(error: unknown): ErrorWords {
  if (error instanceof ApiError) return { message: capitalize(error.message), hint: error.hint };
  if (error instanceof Error) return { message: capitalize(error.message), hint: undefined };
  return { message: capitalize(String(error)), hint: undefined };
}

function capitalize(s: string): string {
  return s ? s[0]!.toUpperCase() + s.slice(1) : s;
}
