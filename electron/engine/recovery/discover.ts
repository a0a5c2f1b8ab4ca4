/**
 * What a destination holds, read from it alone (strata.json and the manifests): the snapshot
 * series of each source, who made them and from where. The first step of a disaster recovery,
 * and what `repair-index` rebuilds the local database from.
 */
import type { DiscoveredSource, RecoveryDiscovery } from '../../../shared/api/entities.js';
import type { Engine } from '../engine.js';
import { readManifestHeader } from '../repository/manifest-reader.js';
import { readRepoConfig } from '../repository/repo-config.js';
import type { SnapshotInfo } from '../repository/snapshot-list.js';

export interface FoundSeries extends Omit<DiscoveredSource, 'configured'> {
  /** The newest readable snapshot's manifest key (null when none is readable). */
  latestKey: string | null;
  /** Readable snapshots, oldest first. */
  list: SnapshotInfo[];
}

export interface Found {
  repositoryId: string | null;
  snapshots: number;
  damaged: number;
  latest: number | null;
  series: FoundSeries[];
}

/** Lists one destination's snapshots (filling the snapshot cache) and reads the newest header of each series. */
export async function findSeries(engine: Engine, destName: string): Promise<Found> {
  const rec = engine.catalog.destination(destName);
  const dest = await engine.openDestination(rec);
  try {
    const config = await readRepoConfig(dest);
    if (!config) return { repositoryId: null, snapshots: 0, damaged: 0, latest: null, series: [] };
    const all = await engine.listSnapshots(destName);
    const bySource = new Map<string, SnapshotInfo[]>();
    for (const s of all) {
      if (s.damaged) continue;
      const list = bySource.get(s.sourceId) ?? [];
      list.push(s);
      bySource.set(s.sourceId, list);
    }
    // Series whose every manifest is damaged are still worth naming.
    for (const s of all) if (!bySource.has(s.sourceId)) bySource.set(s.sourceId, []);
    const series: FoundSeries[] = [];
    for (const [sourceId, list] of bySource) {
      const newest = list.at(-1);
      const header = newest ? await readManifestHeader(dest, newest.manifestKey) : undefined;
      series.push({
        sourceId,
        sourceName: header?.sourceName ?? newest?.sourceName ?? '?',
        kind: header?.sourceKind ?? '?',
        root: header?.sourceRoot ?? '',
        hostname: header?.hostname ?? '',
        snapshots: list.length,
        latest: newest ? newest.time.getTime() : null,
        latestSnapshotId: newest?.snapshotId ?? null,
        latestKey: newest?.manifestKey ?? null,
        list,
      });
    }
    series.sort((a, b) => a.sourceName.localeCompare(b.sourceName) || a.sourceId.localeCompare(b.sourceId));
    const readable = all.filter((s) => !s.damaged);
    return {
      repositoryId: config.id,
      snapshots: readable.length,
      damaged: all.length - readable.length,
      latest: readable.reduce<number | null>((m, s) => Math.max(m ?? 0, s.time.getTime()), null),
      series,
    };
  } finally {
    await dest.close();
  }
}

/** `recovery.discover`: a destination's sources and snapshots, and which of them are set up here. */
export async function discover(engine: Engine, destName: string): Promise<RecoveryDiscovery> {
  const found = await findSeries(engine, destName);
  const ids = new Set(engine.catalog.listSources().map((s) => s.id));
  return {
    destination: destName,
    repositoryId: found.repositoryId,
    snapshots: found.snapshots,
    damaged: found.damaged,
    latest: found.latest,
    sources: found.series.map(({ latestKey: _k, list: _l, ...s }) => ({ ...s, configured: ids.has(s.sourceId) })),
  };
}
