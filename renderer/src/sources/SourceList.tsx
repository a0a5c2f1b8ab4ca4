/**
 * The sources, one row each: pick one to show its folder tree below; its kind and where it reads
 * from; a Drive's account and connection, with Disconnect / Reconnect; Remove.
 */
import type { SourceInfo } from '../../../shared/api/entities.js';
import { Button } from '../components/Button.js';
import { Pill } from '../components/StatusPill.js';
import { DriveActions } from './DriveActions.js';
import { KIND_LABEL, sourceLabel } from './kinds.js';

interface Props {
  sources: SourceInfo[];
  /** The one whose tree is shown. */
  current: SourceInfo;
  onPick: (source: SourceInfo) => void;
  onRemove: (source: SourceInfo) => void;
  onChanged: () => void | Promise<void>;
}

export function SourceList({ sources, current, onPick, onRemove, onChanged }: Props) {
  return (
    <ul className="source-list" aria-label="Sources">
      {sources.map((s) => {
        const isCurrent = s.id === current.id;
        const label = sourceLabel(s);
        return (
          <li key={s.id} className={isCurrent ? 'source-row source-row-current' : 'source-row'} aria-label={s.name}>
            <button
              type="button"
              className="source-pick"
              aria-current={isCurrent ? 'true' : undefined}
              onClick={() => onPick(s)}
            >
              <span className="source-name">{s.name}</span>
              <span className="source-meta">
                <span className="source-kind" data-kind={s.kind}>
                  {KIND_LABEL[s.kind]}
                </span>
                {label ? (
                  <span className={s.kind === 'gdrive' ? 'source-path' : 'source-path mono'} title={label}>
                    {label}
                  </span>
                ) : null}
              </span>
            </button>
            <div className="source-actions">
              {s.kind === 'gdrive' ? (
                <>
                  <Pill tone={s.connected ? 'ok' : 'warn'}>{s.connected ? 'Connected' : 'Disconnected'}</Pill>
                  <DriveActions source={s} onChanged={onChanged} />
                </>
              ) : null}
              <Button size="sm" variant="danger" onClick={() => onRemove(s)} aria-label={`Remove ${s.name}`}>
                Remove
              </Button>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
