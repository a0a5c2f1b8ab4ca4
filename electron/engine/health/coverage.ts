/**
 * The 3-2-1 view: for each folder that has a policy (and each source's root), which destinations
 * are meant to hold it, which of them hold a current copy, and which of those are off this machine.
 */
import { inheritedInclude } from '../../../shared/selection.js';
import type { CopyCoverage } from '../../../shared/api/entities.js';
import type { Catalog } from '../store/catalog.js';
import type { Db } from '../store/database.js';
import type { PlanStore } from '../store/plan-store.js';
import type { PolicyStore } from '../store/policy-store.js';

export function copyCoverage(
  deps: { db: Db; catalog: Catalog; policies: PolicyStore; plans: PlanStore },
  now: number,
): CopyCoverage[] {
  const dests = deps.catalog.listDestinations();
  // A run of this machine, or a snapshot the destination holds (made before a disaster recovery
  // rebuilt this database, or by the same series elsewhere).
  const latest = deps.db.prepare(
    `SELECT MAX(t) AS t FROM (
       SELECT MAX(finished_at) AS t FROM run_results
       WHERE source_id = ? AND dest_id = ? AND status IN ('ok', 'partial') AND snapshot_id IS NOT NULL
       UNION ALL SELECT MAX(time) FROM snapshots WHERE source_id = ? AND dest_id = ?)`,
  );
  const out: CopyCoverage[] = [];
  for (const src of deps.catalog.listSources()) {
    const policies = deps.policies.forSource(src.id);
    const folders = [...new Set(['', ...policies.map((p) => p.folder)])].sort();
    // Whether each destination's copy of this source is current, asked once per destination.
    const current = new Map<string, boolean>();
    for (const d of dests) {
      const t = (latest.get(src.id, d.id, src.id, d.id) as { t: number | null }).t;
      current.set(d.id, t !== null && now - t <= deps.plans.get(d.id).staleAfterMs);
    }
    for (const folder of folders) {
      const own = policies.find((p) => p.folder === folder);
      const meant = dests.filter((d) => own?.destinations[d.id] ?? inheritedInclude(policies, folder, d.id));
      if (meant.length === 0 && folder !== '') continue;
      const held = meant.filter((d) => current.get(d.id));
      out.push({
        source: src.name,
        folder,
        current: held.map((d) => d.name),
        offsite: held.filter((d) => d.config.kind === 's3').map((d) => d.name),
        behind: meant.filter((d) => !current.get(d.id)).map((d) => d.name),
      });
    }
  }
  return out;
}
