/** A destination's plan in one line for its row: "Every day at 02:30, keeps 7 daily, 4 weekly, 12 monthly". */
import { useEffect, useState } from 'react';
import type { PlanInfo } from '../../../shared/api/entities.js';
import { api } from '../api/client.js';
import { errorWords } from '../components/errors.js';
import { useRevision } from '../store/changes.js';
import { planWords } from './PlanEditor.js';

export function PlanLine({ destination }: { destination: string }) {
  const [plan, setPlan] = useState<PlanInfo | null>(null);
  const [error, setError] = useState<unknown>(null);
  const rev = useRevision(['plans']);

  useEffect(() => {
    let stale = false;
    api()
      .call('plans.get', { destination })
      .then(
        (p) => {
          if (stale) return;
          setPlan(p);
          setError(null);
        },
        (err: unknown) => !stale && setError(err),
      );
    return () => {
      stale = true;
    };
  }, [destination, rev]);

  if (error) return <p className="dest-plan err-text">Could not load the schedule: {errorWords(error).message}</p>;
  if (!plan) return null;
  return <p className="dest-plan">{planWords(plan.scheduleSummary, plan.retentionSummary)}</p>;
}
