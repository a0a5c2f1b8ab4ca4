/**
 * Google Drive sources: how the Docs, Sheets, Slides and Drawings below a folder are saved.
 * Each kind inherits from the folders above unless set here; the effective format is shown, so a
 * person sees what a backup will write (the file's extension follows it).
 */
import { useId, useState, type FormEvent } from 'react';
import { DriveExportFormats, type PolicyInfo } from '../../../shared/api/entities.js';
import { isAncestor } from '../../../shared/selection.js';
import { api } from '../api/client.js';
import { RulesError } from './RulesError.js';
import { describe, type ActionError } from './store.js';

type Kind = keyof Required<DriveExportFormats>;

const KINDS: { kind: Kind; label: string }[] = [
  { kind: 'document', label: 'Docs' },
  { kind: 'spreadsheet', label: 'Sheets' },
  { kind: 'presentation', label: 'Slides' },
  { kind: 'drawing', label: 'Drawings' },
];

/** What the engine uses when nothing chooses otherwise. */
const DEFAULTS: Required<DriveExportFormats> = {
  document: 'docx',
  spreadsheet: 'xlsx',
  presentation: 'pptx',
  drawing: 'svg',
};

const choices = (kind: Kind): readonly string[] => DriveExportFormats.shape[kind].unwrap().options;

/** The format a kind gets at `folder` from the folders above it (deepest setting wins). */
function inheritedFormat(policies: PolicyInfo[], folder: string, kind: Kind): string {
  const above = policies
    .filter((p) => p.folder !== folder && isAncestor(p.folder, folder) && p.exports?.[kind])
    .sort((a, b) => b.folder.length - a.folder.length);
  return above[0]?.exports?.[kind] ?? DEFAULTS[kind];
}

export function DocsExportForm(props: {
  source: string;
  folder: string;
  policies: PolicyInfo[];
  /** Just saved (the form is rebuilt from the saved formats, so the parent remembers). */
  saved: boolean;
  onEdit: () => void;
  onSaved: (policies: PolicyInfo[]) => void;
}) {
  const { source, folder, policies, saved, onEdit, onSaved } = props;
  const own = policies.find((p) => p.folder === folder)?.exports ?? {};
  const [chosen, setChosen] = useState<DriveExportFormats>(own);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ActionError | null>(null);
  const headingId = useId();
  const baseId = useId();

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    try {
      const exports = Object.keys(chosen).length ? chosen : null;
      onSaved(await api().call('policies.setExports', { source, folder, exports }));
    } catch (err) {
      setError(describe(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="tree-rules-form tree-rules-docs" aria-labelledby={headingId} onSubmit={(e) => void submit(e)}>
      <h3 id={headingId} className="tree-rules-subtitle">
        Google files saved as
      </h3>
      {KINDS.map(({ kind, label }) => {
        const inherited = inheritedFormat(policies, folder, kind);
        return (
          <div key={kind} className="tree-rules-docs-row">
            <label htmlFor={`${baseId}-${kind}`}>{label}</label>
            <select
              id={`${baseId}-${kind}`}
              value={chosen[kind] ?? ''}
              onChange={(e) => {
                const value = e.target.value;
                onEdit();
                setChosen(({ [kind]: _old, ...rest }) =>
                  value ? { ...rest, [kind]: value as never } : (rest as DriveExportFormats),
                );
              }}
            >
              <option value="">As above (.{inherited})</option>
              {choices(kind).map((f) => (
                <option key={f} value={f}>
                  .{f}
                </option>
              ))}
            </select>
          </div>
        );
      })}
      <p className="tree-rules-note">
        Google files have no bytes of their own: each backup exports them in this format. Google exports at most 10 MB
        per file.
      </p>
      <RulesError error={error} />
      <div className="tree-rules-actions">
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : 'Save formats'}
        </button>
        <span role="status" className="tree-rules-status">
          {saved ? 'Saved' : ''}
        </span>
      </div>
    </form>
  );
}
