/**
 * Chooses a folder on the host's disk (`fs.folders`): the current path, its subfolders as buttons,
 * "Up", and a field to type a path. The chosen folder is what the field holds: browsing fills it,
 * and a typed path that does not exist yet (a new folder on a backup disk) is kept as typed.
 */
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { FolderListing } from '../../../shared/api/entities.js';
import { api } from '../api/client.js';
import { Button } from './Button.js';
import { ErrorBanner } from './ErrorBanner.js';

interface Props {
  value: string;
  onChange: (path: string) => void;
  label?: string;
  /** Error text for the field (e.g. "Choose a folder"). */
  problem?: string | undefined;
}

const SHOWN = 300;

export function FolderPicker({ value, onChange, label = 'Folder', problem }: Props) {
  const id = useId();
  const [listing, setListing] = useState<FolderListing | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [showAll, setShowAll] = useState(false);
  const onChangeRef = useRef(onChange);
  useEffect(() => {
    onChangeRef.current = onChange;
  });
  const request = useRef(0);
  const listingPath = useRef<string | undefined>(undefined);

  const browse = useCallback(async (path: string | undefined, fill: boolean) => {
    const n = ++request.current;
    setLoading(true);
    try {
      const result = await api().call('fs.folders', path ? { path } : {});
      if (n !== request.current) return;
      setListing(result);
      listingPath.current = result.path;
      setError(null);
      setShowAll(false);
      if (fill && !result.error) onChangeRef.current(result.path);
    } catch (err) {
      if (n === request.current) setError(err);
    } finally {
      if (n === request.current) setLoading(false);
    }
  }, []);

  // First listing: the given folder, or the home folder (without choosing it for the user).
  const initial = useRef(value);
  useEffect(() => {
    void browse(initial.current || undefined, false);
  }, [browse]);

  // The browser follows what is typed (without replacing it), after a pause.
  useEffect(() => {
    const path = value.trim();
    if (!path.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(path)) return;
    if (path === listingPath.current) return;
    const timer = setTimeout(() => void browse(path, false), 400);
    return () => clearTimeout(timer);
  }, [value, browse]);

  const folders = listing?.folders ?? [];
  const shown = showAll ? folders : folders.slice(0, SHOWN);

  return (
    <div className="folder-picker">
      <label htmlFor={`${id}-path`}>{label}</label>
      <div className="row">
        <input
          id={`${id}-path`}
          className="input grow mono"
          type="text"
          value={value}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? `${id}-problem` : `${id}-help`}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              if (value.trim()) void browse(value.trim(), true);
            }
          }}
        />
        <Button onClick={() => value.trim() && void browse(value.trim(), true)} disabled={!value.trim()}>
          Open
        </Button>
      </div>
      {problem ? (
        <p id={`${id}-problem`} className="field-problem">
          {problem}
        </p>
      ) : (
        <p id={`${id}-help`} className="field-help">
          Type a path, or browse below and open the folder you want.
        </p>
      )}
      <ErrorBanner error={error} />
      <div className="picker-browser" aria-busy={loading || undefined}>
        <div className="picker-bar">
          <Button
            size="sm"
            onClick={() => listing?.parent && void browse(listing.parent, true)}
            disabled={!listing?.parent}
          >
            Up
          </Button>
          <Button
            size="sm"
            variant="ghost"
            onClick={() => listing && void browse(listing.home, true)}
            disabled={!listing}
          >
            Home
          </Button>
          <span className="picker-current mono" title={listing?.path}>
            <bdi>{listing ? listing.path : 'Loading folders…'}</bdi>
          </span>
        </div>
        {listing?.error ? <p className="field-problem">{listing.error}</p> : null}
        {listing && !listing.error && folders.length === 0 ? (
          <p className="muted picker-empty">No folders inside this one.</p>
        ) : null}
        {shown.length > 0 ? (
          <ul className="picker-list" aria-label={`Inside ${listing?.path ?? ''}`}>
            {shown.map((f) => (
              <li key={f.path}>
                <button type="button" className="picker-item" onClick={() => void browse(f.path, true)}>
                  <span aria-hidden="true" className="picker-icon" />
                  {f.name}
                </button>
              </li>
            ))}
          </ul>
        ) : null}
        {!showAll && folders.length > SHOWN ? (
          <Button size="sm" variant="ghost" onClick={() => setShowAll(true)}>
            Show all {folders.length} folders
          </Button>
        ) : null}
      </div>
    </div>
  );
}
