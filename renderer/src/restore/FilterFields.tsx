/** Step 2's filters: a folder prefix, extensions, part of the name, and a modified-date range. */
import { useId } from 'react';
import { Button } from '../components/Button.js';
import { NO_FILTER, type FilterForm } from './wizard-store.js';

export function FilterFields({ value, onChange }: { value: FilterForm; onChange: (f: FilterForm) => void }) {
  const id = useId();
  const field = (key: keyof FilterForm, label: string, help: string, type = 'text', placeholder?: string) => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <input
        id={`${id}-${key}`}
        className="input"
        type={type}
        value={value[key]}
        placeholder={placeholder}
        spellCheck={false}
        autoComplete="off"
        aria-describedby={`${id}-${key}-help`}
        onChange={(e) => onChange({ ...value, [key]: e.target.value })}
      />
      <p id={`${id}-${key}-help`} className="field-help">
        {help}
      </p>
    </div>
  );
  const any = Object.values(value).some((v) => v.trim() !== '');
  return (
    <fieldset className="field filter-fields">
      <legend>Filters</legend>
      {field('nameContains', 'Name contains', 'Part of a file name, any case.', 'search', 'invoice')}
      {field('extensions', 'Extensions', 'Separate with commas.', 'text', 'jpg, png')}
      {field('pathPrefix', 'Inside folder', 'Only below this folder of the snapshot.', 'text', 'photos/2024')}
      <div className="field-row">
        {field('since', 'Modified from', 'That day included.', 'date')}
        {field('until', 'Modified until', 'That day included.', 'date')}
      </div>
      {any ? (
        <Button size="sm" variant="ghost" onClick={() => onChange(NO_FILTER)}>
          Clear filters
        </Button>
      ) : null}
    </fieldset>
  );
}
