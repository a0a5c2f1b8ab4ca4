import { StrataError } from '../../../shared/errors.js';

/** The parts of a TTY read stream the prompt needs (process.stdin when it is a terminal). */
export interface HiddenInput {
  isTTY?: boolean;
  isRaw?: boolean;
  setRawMode?(mode: boolean): unknown;
  setEncoding(encoding: BufferEncoding): unknown;
  on(event: 'data', listener: (chunk: string) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  removeListener(event: 'data', listener: (chunk: string) => void): unknown;
  removeListener(event: 'end', listener: () => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface PromptStreams {
  input?: HiddenInput;
  /** stderr by default, so `--json` output on stdout stays clean. */
  output?: { write(text: string): unknown };
}

/**
 * Asks a question on the terminal and reads a line without echoing it. Raw mode lets us
 * see each key, so nothing typed ever reaches the screen or the scrollback.
 */
export function promptHidden(question: string, streams: PromptStreams = {}): Promise<string> {
  const input: HiddenInput = streams.input ?? process.stdin;
  const output = streams.output ?? process.stderr;
  if (!input.isTTY || typeof input.setRawMode !== 'function') {
    return Promise.reject(
      new StrataError(
        'passphrase',
        'no terminal to type the passphrase in',
        'set STRATA_PASSPHRASE or run in a terminal',
      ),
    );
  }
  const setRaw = input.setRawMode.bind(input);
  const wasRaw = input.isRaw === true;
  output.write(question);
  setRaw(true);
  input.setEncoding('utf8');

  return new Promise<string>((resolve, reject) => {
    let typed: string[] = [];
    const finish = (err?: StrataError): void => {
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      setRaw(wasRaw);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolve(typed.join(''));
    };
    const cancelled = (): StrataError =>
      new StrataError(
        'passphrase',
        'passphrase entry was cancelled',
        'run again and type the passphrase, or set STRATA_PASSPHRASE',
      );
    const onEnd = (): void => finish(cancelled());
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish();
        // Raw mode swallows the SIGINT that Ctrl-C would send; treat it (and Ctrl-D on an empty line) as cancel.
        if (ch === '\u0003' || (ch === '\u0004' && typed.length === 0)) return finish(cancelled());
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else if (ch === '\u0015') typed = [];
        // An escape sequence (arrow keys and the like) arrives as one chunk: drop the rest of it.
        else if (ch === '\u001b') return;
        else if (ch >= ' ') typed.push(ch);
      }
    };
    input.on('data', onData);
    input.on('end', onEnd);
    input.resume();
  });
}
