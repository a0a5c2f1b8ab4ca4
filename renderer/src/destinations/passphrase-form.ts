/**
 * A vault passphrase typed twice (a typo here would lock the backups away for good): what is
 * wrong with the pair, in words, by field.
 */
export interface PassphrasePair {
  passphrase: string;
  confirm: string;
}

export type PassphraseProblems = Partial<Record<keyof PassphrasePair, string>>;

export const EMPTY_PAIR: PassphrasePair = { passphrase: '', confirm: '' };

/** Same limit as the contract's RepoPassphrase. */
const MAX = 1024;

export function passphraseProblems(pair: PassphrasePair): PassphraseProblems {
  const problems: PassphraseProblems = {};
  if (!pair.passphrase) problems.passphrase = 'Give a passphrase';
  else if (pair.passphrase.length > MAX) problems.passphrase = `Use at most ${MAX} characters`;
  else if (pair.confirm !== pair.passphrase) problems.confirm = 'The passphrases do not match';
  return problems;
}
