/**
 * Exclusion patterns and size cap of one folder's policy, with the rules it inherits from folders
 * above shown read-only, and the commands run around the source's backup. Saving reloads the tree
 * (excluded badges change). A command source is one file, so it has commands but no exclusions.
 */
import { memo, useCallback, useId, useState, type FormEvent } from 'react';
import type { PolicyInfo, SourceInfo } from '../../../shared/api/entities.js';
import { isAncestor } from '../../../shared/selection.js';
import { api } from '../api/client.js';
import { DocsExportForm } from './DocsExportForm.js';
import { HooksForm } from './HooksForm.js';
import { RulesError } from './RulesError.js';
import { useHostValue } from './useHostValue.js';
import { displayPath, formatBytes } from './format.js';
import { describe, type ActionError } from './store.js';

/** 1 MB = 1,000,000 bytes, as everywhere in the app. */
const MB = 1_000_000;
const MAX_PATTERNS = 500;
const MAX_PATTERN_LENGTH = 1024;

export interface RulesEditorProps {
  source: string;
  /** Google Drive sources also choose how Docs below the folder are exported; command sources have no exclusions. */
  kind: SourceInfo['kind'];
  /** The folder whose rules are edited ('' is the root). */
  folder: string;
  onSaved: () => void;
}

export const RulesEditor = memo(function RulesEditor({ source, folder, onSaved, kind }: RulesEditorProps) {
  const loadPolicies = useCallback(() => api().call('policies.list', { source }), [source]);
  const { value: policies, set: setPolicies, error: loadError } = useHostValue(loadPolicies, ['policies', 'sources']);
  /** The folder whose rules were just saved, to say so until the next edit. */
  const [savedFolder, setSavedFolder] = useState<string | null>(null);
  const [savedDocsFolder, setSavedDocsFolder] = useState<string | null>(null);
  const headingId = useId();

  const own = policies?.find((p) => p.folder === folder);
  const inherited = (policies ?? [])
    .filter((p) => p.folder !== folder && isAncestor(p.folder, folder) && (p.excludes.length > 0 || p.maxSize !== null))
    .sort((a, b) => a.folder.length - b.folder.length);
  const initialExcludes = own?.excludes ?? [];
  const initialMax = own?.maxSize ?? null;
  // A fresh form for another folder or when the saved rules change; not on every tree reload.
  const formKey = `${folder}\0${JSON.stringify([initialExcludes, initialMax])}`;

  return (
    <section className="tree-rules" aria-labelledby={headingId}>
      <h2 id={headingId} className="tree-rules-title">
        Rules for {displayPath(folder)}
      </h2>
      <RulesError error={loadError} />
      {kind === 'command' ? (
        <p className="tree-rules-note">
          A command source is the command&apos;s output, one file: there is nothing to leave out.
        </p>
      ) : policies === null && !loadError ? (
        <p className="tree-rules-note">Loading rules…</p>
      ) : (
        <RulesForm
          key={formKey}
          source={source}
          folder={folder}
          initialExcludes={initialExcludes}
          initialMax={initialMax}
          saved={savedFolder === folder}
          onEdit={() => setSavedFolder(null)}
          onSaved={(next) => {
            setPolicies(next);
            setSavedFolder(folder);
            onSaved();
          }}
        />
      )}
      {kind === 'gdrive' && policies !== null && (
        <DocsExportForm
          key={`${folder}\0${JSON.stringify(policies.find((p) => p.folder === folder)?.exports ?? {})}`}
          source={source}
          folder={folder}
          policies={policies}
          saved={savedDocsFolder === folder}
          onEdit={() => setSavedDocsFolder(null)}
          onSaved={(next) => {
            setPolicies(next);
            setSavedDocsFolder(folder);
            onSaved();
          }}
        />
      )}
      {kind !== 'command' && inherited.length > 0 && (
        <div className="tree-rules-inherited">
          <h3 className="tree-rules-subtitle">Also applies here (from folders above)</h3>
          <ul>
            {inherited.map((p) => (
              <li key={p.folder}>
                <span className="tree-rules-from">From {displayPath(p.folder)}:</span>{' '}
                {p.excludes.length > 0 && <code className="tree-rules-patterns">{p.excludes.join('  ')}</code>}
                {p.maxSize !== null && <span> files up to {formatBytes(p.maxSize)}</span>}
              </li>
            ))}
          </ul>
        </div>
      )}
      <HooksForm source={source} folder={folder} />
    </section>
  );
});

function RulesForm(props: {
  source: string;
  folder: string;
  initialExcludes: string[];
  initialMax: number | null;
  saved: boolean;
  onEdit: () => void;
  onSaved: (policies: PolicyInfo[]) => void;
}) {
  const { source, folder, initialExcludes, initialMax, saved, onEdit, onSaved } = props;
  const [patterns, setPatterns] = useState(initialExcludes.join('\n'));
  const [maxMb, setMaxMb] = useState(initialMax === null ? '' : String(+(initialMax / MB).toFixed(3)));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ActionError | null>(null);
  const patternsId = useId();
  const sizeId = useId();

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const excludes = patterns
      .split('\n')
      .map((l) => l.trimEnd())
      .filter((l) => l.trim() !== '');
    if (excludes.length > MAX_PATTERNS) {
      setError({ message: `Too many patterns (${excludes.length})`, hint: `keep it to ${MAX_PATTERNS} lines` });
      return;
    }
    const long = excludes.find((l) => l.length > MAX_PATTERN_LENGTH);
    if (long) {
      setError({ message: 'A pattern is too long', hint: `keep each line under ${MAX_PATTERN_LENGTH} characters` });
      return;
    }
    let maxSize: number | null = null;
    if (maxMb.trim() !== '') {
      const n = Number(maxMb);
      if (!Number.isFinite(n) || n < 0) {
        setError({ message: 'The size limit is not a size', hint: 'give megabytes, e.g. 500, or leave it empty' });
        return;
      }
      maxSize = Math.round(n * MB);
    }
    setSaving(true);
    setError(null);
    onEdit();
    try {
      const next = await api().call('policies.setRules', { source, folder, excludes, maxSize });
      onSaved(next);
    } catch (err) {
      setError(describe(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="tree-rules-form" aria-label="Exclusions and size limit" onSubmit={(e) => void submit(e)}>
      <label htmlFor={patternsId}>Exclusion patterns (one per line, gitignore syntax)</label>
      <textarea
        id={patternsId}
        rows={5}
        spellCheck={false}
        placeholder={'*.tmp\nnode_modules/\n.cache/'}
        value={patterns}
        onChange={(e) => {
          setPatterns(e.target.value);
          onEdit();
        }}
      />
      <label htmlFor={sizeId}>Size limit (MB)</label>
      <input
        id={sizeId}
        type="number"
        min={0}
        step="any"
        inputMode="decimal"
        placeholder="No limit"
        value={maxMb}
        onChange={(e) => {
          setMaxMb(e.target.value);
          onEdit();
        }}
      />
      <p className="tree-rules-note">Empty means no limit. Files larger than the limit are left out.</p>
      <RulesError error={error} />
      <div className="tree-rules-actions">
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
        <span role="status" className="tree-rules-status">
          {saved ? 'Saved' : ''}
        </span>
      </div>
    </form>
  );
}
