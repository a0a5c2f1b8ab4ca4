/**
 * The commands a folder's policy runs before and after its source's backup (`strata hook` in the
 * CLI): put an app in maintenance mode, snapshot a filesystem, ping a monitor. One line each,
 * through the shell, with a time limit. Hooks set on other folders of the source are listed too,
 * because every hook runs for the whole source's backup.
 */
import { useCallback, useId, useState, type FormEvent } from 'react';
import type { HookInfo } from '../../../shared/api/entities.js';
import { DEFAULT_HOOK_TIMEOUT_MS, formatTimeout, parseTimeout } from '../../../shared/command-timeout.js';
import { api } from '../api/client.js';
import { displayPath } from './format.js';
import { RulesError } from './RulesError.js';
import { useHostValue } from './useHostValue.js';
import { describe, type ActionError } from './store.js';

type Phase = HookInfo['phase'];

const DEFAULT_LIMIT = formatTimeout(DEFAULT_HOOK_TIMEOUT_MS);

const PHASES: { phase: Phase; label: string; note: string; placeholder: string }[] = [
  {
    phase: 'before',
    label: 'Before the backup',
    note: 'If it fails or runs past its time limit, the backup of this source does not run.',
    placeholder: 'docker exec nextcloud occ maintenance:mode --on',
  },
  {
    phase: 'after',
    label: 'After the backup',
    note: 'Always runs once the backup was tried; STRATA_STATUS says ok, partial or failed.',
    placeholder: 'curl -fsS https://hc-ping.com/your-check-id',
  },
];

export function HooksForm({ source, folder }: { source: string; folder: string }) {
  const loadHooks = useCallback(() => api().call('hooks.list', { source }), [source]);
  const { value: hooks, set: setHooks, error: loadError } = useHostValue(loadHooks, ['policies']);
  /** "Saved" or "Removed" for the row just changed; kept here because that row is rebuilt. */
  const [done, setDone] = useState<{ row: string; word: string } | null>(null);
  const headingId = useId();

  const elsewhere = (hooks ?? []).filter((h) => h.folder !== folder);
  return (
    <div className="tree-rules-hooks" role="group" aria-labelledby={headingId}>
      <h3 id={headingId} className="tree-rules-subtitle">
        Commands around the backup
      </h3>
      <p className="tree-rules-note">
        Run through the shell with STRATA_SOURCE, STRATA_FOLDER, STRATA_DESTINATIONS and STRATA_RUN_ID set; their output
        goes to the run log.
      </p>
      <RulesError error={loadError} />
      {hooks === null
        ? !loadError && <p className="tree-rules-note">Loading commands…</p>
        : PHASES.map((p) => {
            const own = hooks.find((h) => h.folder === folder && h.phase === p.phase);
            const row = `${folder}\0${p.phase}`;
            return (
              <HookRow
                // A fresh row when the saved hook changes (another folder, a save from the CLI).
                key={`${row}\0${own?.command ?? ''}\0${own?.timeoutMs ?? ''}`}
                source={source}
                folder={folder}
                spec={p}
                saved={own}
                status={done?.row === row ? done.word : ''}
                onStatus={(word) => setDone(word ? { row, word } : null)}
                onSaved={setHooks}
              />
            );
          })}
      {elsewhere.length > 0 && (
        <div className="tree-rules-inherited">
          <h4 className="tree-rules-subtitle">Also run for this source (set on other folders)</h4>
          <ul>
            {elsewhere.map((h) => (
              <li key={`${h.folder}\0${h.phase}`}>
                <span className="tree-rules-from">
                  {h.phase === 'before' ? 'Before' : 'After'}, from {displayPath(h.folder)}:
                </span>{' '}
                <code className="tree-rules-patterns">{h.command}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function HookRow(props: {
  source: string;
  folder: string;
  spec: (typeof PHASES)[number];
  saved: HookInfo | undefined;
  status: string;
  onStatus: (word: string) => void;
  onSaved: (hooks: HookInfo[]) => void;
}) {
  const { source, folder, spec, saved, status, onStatus, onSaved } = props;
  const [command, setCommand] = useState(saved?.command ?? '');
  const [limit, setLimit] = useState(saved ? formatTimeout(saved.timeoutMs) : DEFAULT_LIMIT);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ActionError | null>(null);
  const commandId = useId();
  const limitId = useId();
  const noteId = useId();

  const call = async (work: () => Promise<HookInfo[]>, done: string): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const next = await work();
      onStatus(done);
      onSaved(next);
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (!command.trim()) {
      setError({ message: 'Give the command to run', hint: 'or remove this command' });
      return;
    }
    let timeoutMs: number;
    try {
      timeoutMs = parseTimeout(limit);
    } catch (err) {
      setError(describe(err));
      return;
    }
    void call(() => api().call('hooks.set', { source, folder, phase: spec.phase, command, timeoutMs }), 'Saved');
  };

  const remove = (): void =>
    void call(() => api().call('hooks.remove', { source, folder, phase: spec.phase }), 'Removed');

  const edit = (): void => {
    onStatus('');
    setError(null);
  };

  return (
    <form className="tree-rules-form tree-hook" aria-label={spec.label} onSubmit={submit}>
      <label htmlFor={commandId}>{spec.label}</label>
      <input
        id={commandId}
        className="tree-hook-command"
        spellCheck={false}
        autoComplete="off"
        placeholder={spec.placeholder}
        aria-describedby={noteId}
        value={command}
        onChange={(e) => {
          setCommand(e.target.value);
          edit();
        }}
      />
      <p id={noteId} className="tree-rules-note">
        {spec.note}
      </p>
      <div className="tree-hook-limit">
        <label htmlFor={limitId}>Time limit</label>
        <input
          id={limitId}
          spellCheck={false}
          autoComplete="off"
          placeholder={DEFAULT_LIMIT}
          value={limit}
          onChange={(e) => {
            setLimit(e.target.value);
            edit();
          }}
        />
      </div>
      <RulesError error={error} />
      <div className="tree-rules-actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        {saved && (
          <button type="button" className="tree-hook-remove" disabled={busy} onClick={remove}>
            Remove
          </button>
        )}
        <span role="status" className="tree-rules-status">
          {status}
        </span>
      </div>
    </form>
  );
}
