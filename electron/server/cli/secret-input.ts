import { StrataError } from '../../../shared/errors.js';
import { promptHidden } from '../../engine/secrets/prompt-hidden.js';

/** A secret comes from an env var or a no-echo prompt, never from argv (shell history). */
export async function readSecret(envName: string, question: string): Promise<string> {
  const fromEnv = process.env[envName];
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY) {
    throw new StrataError('usage', `no secret given`, `set ${envName} or run in a terminal to be asked for it`);
  }
  const value = await promptHidden(question);
  if (!value) throw new StrataError('usage', 'an empty secret was given', 'type the secret access key at the prompt');
  return value;
}
