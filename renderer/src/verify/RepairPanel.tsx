/**
 * Repair from another destination: one button per destination holding some of what this one
 * lacks (`verify.repair` copies each version across, checked by its SHA-256), then what it did,
 * with the failures and their reasons, and "Verify again" to prove the copies are whole now.
 */
import { useState } from 'react';
import type { VerifyProblem } from '../../../shared/api/entities.js';
import { api } from '../api/client.js';
import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { useAction } from '../components/useAction.js';
import { formatCount, plural } from '../format.js';

interface Outcome {
  from: string;
  repaired: number;
  failed: { path: string; error: string }[];
}

interface Props {
  destination: string;
  reportId: number;
  problems: VerifyProblem[];
  /** Starts a new check of the destination (the dialog closes so the card shows it). */
  onVerifyAgain: () => void;
  verifyBusy: boolean;
  /** Another run is going on: the host refuses a repair or a check meanwhile. */
  blocked: boolean;
}

/** Each destination holding some of the versions, with how many. */
function holders(problems: VerifyProblem[]): { name: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const p of problems) for (const name of p.repairableFrom) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts].map(([name, count]) => ({ name, count }));
}

/** "b2 holds the same content", "b2 holds all 3", "b2 holds 2 of the 3". */
function holdsWords(name: string, count: number, total: number): string {
  if (total === 1) return `${name} holds the same content`;
  return count === total
    ? `${name} holds all ${formatCount(total)}`
    : `${name} holds ${formatCount(count)} of the ${formatCount(total)}`;
}

export function RepairPanel({ destination, reportId, problems, onVerifyAgain, verifyBusy, blocked }: Props) {
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [from, setFrom] = useState<string | null>(null);
  const repair = useAction(async (name: string) => {
    setFrom(name);
    setOutcome(null);
    const result = await api().call('verify.repair', { destination, from: name, reportId });
    setOutcome({ from: name, ...result });
  });
  const sources = holders(problems);
  if (sources.length === 0) return null;

  return (
    <section className="repair-panel" aria-label="Repair">
      <h3>Repair</h3>
      <ul className="repair-list">
        {sources.map((s) => (
          <li key={s.name}>
            <Button
              variant={outcome ? 'secondary' : 'primary'}
              busy={repair.busy && from === s.name}
              disabled={blocked || (repair.busy && from !== s.name)}
              onClick={() => void repair.run(s.name)}
            >
              Repair from {s.name}
            </Button>
            <span className="muted">
              {holdsWords(s.name, s.count, problems.length)}; each copy is checked by its SHA-256.
            </span>
          </li>
        ))}
      </ul>
      <ErrorBanner error={repair.error} title={`Could not repair from ${from ?? ''}`} onDismiss={repair.clearError} />
      {outcome ? <OutcomeView outcome={outcome} /> : null}
      {outcome ? (
        <div className="actions">
          <Button variant="primary" busy={verifyBusy} disabled={blocked} onClick={onVerifyAgain}>
            Verify again
          </Button>
        </div>
      ) : null}
    </section>
  );
}

function OutcomeView({ outcome: o }: { outcome: Outcome }) {
  return (
    <div role="status" className={o.failed.length ? 'banner banner-warn' : 'repair-ok'}>
      <div className="banner-text">
        <p>
          <strong>
            Repaired {plural(o.repaired, 'version')} from {o.from}
            {o.failed.length ? `; ${plural(o.failed.length, 'version')} not repaired` : ''}.
          </strong>{' '}
          Verify again to confirm {o.failed.length ? 'what was copied' : 'everything is intact'}.
        </p>
        {o.failed.length ? (
          <ul className="repair-failures">
            {o.failed.map((f, i) => (
              <li key={`${i}:${f.path}`}>
                <span className="mono">{f.path}</span>: {f.error}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </div>
  );
}
