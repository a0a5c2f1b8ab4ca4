/**
 * "Add a database or command": a template (PostgreSQL, MySQL/MariaDB, SQLite, any command), its
 * fields, and the command it will run shown before it is added → `sources.addCommand`. A password
 * goes to the secret store as the tool's environment variable, never into the command line.
 */
import { useEffect, useId, useState, type ReactNode } from 'react';
import type { SourceInfo } from '../../../shared/api/entities.js';
import {
  COMMAND_TEMPLATES,
  DEFAULT_PORTS,
  EMPTY_TEMPLATE_FIELDS,
  commandFromTemplate,
  templateProblems,
  type CommandTemplateFields,
  type CommandTemplateId,
} from '../../../shared/command-templates.js';
import { api } from '../api/client.js';
import { FieldNotes } from '../components/FieldNotes.js';
import { NameField } from '../components/NameField.js';
import { useName } from '../components/useName.js';
import { useAction } from '../components/useAction.js';
import { useDestinations } from '../store/destinations.js';
import { SourceFormEnd } from './SourceFormEnd.js';

interface Props {
  onAdded: (source: SourceInfo) => void;
  onCancel?: (() => void) | undefined;
}

const TIME_LIMITS: readonly [string, number | undefined][] = [
  ['No limit', undefined],
  ['30 minutes', 30 * 60_000],
  ['1 hour', 3_600_000],
  ['2 hours', 2 * 3_600_000],
  ['6 hours', 6 * 3_600_000],
];

type FieldKey = keyof CommandTemplateFields | 'outputName';

const EMPTY = EMPTY_TEMPLATE_FIELDS;

export function CommandSourceForm({ onAdded, onCancel }: Props) {
  const id = useId();
  const [template, setTemplate] = useState<CommandTemplateId>('postgres');
  const [fields, setFields] = useState<CommandTemplateFields>({ ...EMPTY, host: 'localhost' });
  const name = useName();
  const [outputName, setOutputName] = useState('');
  const [gzip, setGzip] = useState(false);
  const [limit, setLimit] = useState(2);
  const [stderrFatal, setStderrFatal] = useState(false);
  const [problems, setProblems] = useState<Partial<Record<FieldKey, string>>>({});
  const destinations = useDestinations();
  /** Destination names ticked to receive the dump; the one file can also be ticked later in its tree. */
  const [sendTo, setSendTo] = useState<string[]>([]);
  const loadDestinations = destinations.load;
  useEffect(() => {
    void loadDestinations();
  }, [loadDestinations]);

  const draft = commandFromTemplate(template, fields);
  const output = outputName.trim() || draft.outputName + (gzip ? '.gz' : '');
  const update = (patch: Partial<CommandTemplateFields>) => {
    setFields((f) => ({ ...f, ...patch }));
    setProblems((p) => {
      const rest = { ...p };
      for (const k of Object.keys(patch)) delete rest[k as FieldKey];
      return rest;
    });
  };

  const add = useAction(async () => {
    const found: Partial<Record<FieldKey, string>> = { ...templateProblems(template, fields) };
    if (template === 'custom' && !outputName.trim()) found.outputName = 'Name the file the output is saved as';
    setProblems(found);
    if (!name.check() || Object.keys(found).length > 0) return;
    const timeoutMs = TIME_LIMITS[limit]![1];
    onAdded(
      await api().call('sources.addCommand', {
        name: name.name,
        command: {
          argv: draft.argv,
          ...(draft.shell ? { shell: true } : {}),
          outputName: output,
          ...(gzip ? { gzip: true } : {}),
          ...(timeoutMs ? { timeoutMs } : {}),
          ...(stderrFatal ? { stderrFatal: true } : {}),
          ...(Object.keys(draft.env).length ? { env: draft.env } : {}),
        },
        ...(sendTo.length ? { destinations: sendTo } : {}),
      }),
    );
  });

  /** A labelled input with its problem and help (aria-describedby points at both). */
  const input = (
    key: FieldKey,
    label: string,
    value: string,
    onChange: (value: string) => void,
    help?: ReactNode,
    extra: { type?: string; placeholder?: string } = {},
  ) => {
    const fid = `${id}-${key}`;
    const problem = problems[key];
    const describedBy = [problem ? `${fid}-problem` : '', help ? `${fid}-help` : ''].filter(Boolean).join(' ');
    return (
      <div className="field">
        <label htmlFor={fid}>{label}</label>
        <input
          id={fid}
          className="input"
          type={extra.type ?? 'text'}
          value={value}
          placeholder={extra.placeholder}
          autoComplete="off"
          spellCheck={false}
          {...(problem ? { 'aria-invalid': true as const } : {})}
          {...(describedBy ? { 'aria-describedby': describedBy } : {})}
          onChange={(e) => onChange(e.target.value)}
        />
        <FieldNotes id={fid} problem={problem} help={help} />
      </div>
    );
  };
  const text = (key: keyof CommandTemplateFields, label: string, help?: ReactNode, type = 'text') =>
    input(key, label, fields[key], (v) => update({ [key]: v }), help, { type });
  const server = template === 'postgres' || template === 'mysql';
  const shown = draft.shell ? draft.argv[0] : draft.argv.join(' ');

  return (
    <form
      className="source-form"
      aria-label="New database or command source"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void add.run();
      }}
    >
      <fieldset className="field">
        <legend>Template</legend>
        <div className="kind-picker">
          {COMMAND_TEMPLATES.map((t) => (
            <label key={t.id} className="kind-option">
              <input
                type="radio"
                name={`${id}-template`}
                checked={template === t.id}
                onChange={() => {
                  setTemplate(t.id);
                  update({ port: DEFAULT_PORTS[t.id] ?? '' });
                }}
              />
              <span className="kind-text">
                <span className="kind-title">{t.label}</span> <span className="kind-help">{t.help}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      {server ? (
        <>
          {text('database', 'Database')}
          {text('host', 'Host', 'localhost, or the server’s name or address')}
          {text('port', 'Port', `Empty means ${DEFAULT_PORTS[template]}`)}
          {text('user', 'User', 'Empty means the tool’s default (your user name)')}
          {text(
            'password',
            'Password',
            `Kept in Strata’s secret store and given to the tool as ${template === 'postgres' ? 'PGPASSWORD' : 'MYSQL_PWD'}; empty when the server needs none`,
            'password',
          )}
        </>
      ) : null}
      {template === 'sqlite' ? text('file', 'Database file', 'The full path, e.g. /var/lib/gitea/data/gitea.db') : null}
      {template === 'custom'
        ? text(
            'commandLine',
            'Command',
            'Run through /bin/sh; what it prints on standard output is saved, e.g. tar c /etc',
          )
        : null}
      {input(
        'outputName',
        'Saved as',
        outputName,
        (v) => {
          setOutputName(v);
          setProblems(({ outputName: _drop, ...rest }) => rest);
        },
        "The file's name in each snapshot; restore gives it back under this name.",
        { placeholder: template === 'custom' ? 'e.g. etc.tar' : output },
      )}
      <div className="field">
        <label htmlFor={`${id}-limit`}>Time limit</label>
        <select id={`${id}-limit`} className="input" value={limit} onChange={(e) => setLimit(Number(e.target.value))}>
          {TIME_LIMITS.map(([label], i) => (
            <option key={label} value={i}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div className="field field-check">
        <input id={`${id}-gzip`} type="checkbox" checked={gzip} onChange={(e) => setGzip(e.target.checked)} />
        <label htmlFor={`${id}-gzip`}>Compress with gzip</label>
        <p className="field-help">Leave it off for a vault: a vault compresses, and deduplicates plain dumps better.</p>
      </div>
      <div className="field field-check">
        <input
          id={`${id}-stderr`}
          type="checkbox"
          checked={stderrFatal}
          onChange={(e) => setStderrFatal(e.target.checked)}
        />
        <label htmlFor={`${id}-stderr`}>Fail the backup when the command writes to standard error</label>
      </div>
      {destinations.list && destinations.list.length > 0 ? (
        <fieldset className="field">
          <legend>Back up to</legend>
          {destinations.list.map((d) => (
            <div className="field-check" key={d.id}>
              <input
                id={`${id}-to-${d.id}`}
                type="checkbox"
                checked={sendTo.includes(d.name)}
                onChange={(e) =>
                  setSendTo((to) => (e.target.checked ? [...to, d.name] : to.filter((n) => n !== d.name)))
                }
              />
              <label htmlFor={`${id}-to-${d.id}`}>
                {d.name} <span className="muted">{d.label}</span>
              </label>
            </div>
          ))}
          <p className="field-help">Or tick its file for destinations in the Sources tree later.</p>
        </fieldset>
      ) : null}
      <div className="field">
        <span className="field-title" id={`${id}-preview`}>
          Will run
        </span>
        <code className="mono command-preview" role="status" aria-labelledby={`${id}-preview`}>
          {shown || '…'} → {output}
        </code>
        <p className="field-help">
          On every backup, on this computer. A failing command leaves the previous snapshot as the latest.
        </p>
      </div>
      <NameField
        id={id}
        {...name.field}
        help="A short name for this source in Strata and in the backups, e.g. nextcloud-db."
      />
      <SourceFormEnd action={add} errorTitle="Could not add the source" submitLabel="Add source" onCancel={onCancel} />
    </form>
  );
}
