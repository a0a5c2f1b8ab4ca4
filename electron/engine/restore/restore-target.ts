import { lstat, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { StrataError } from '../../../shared/errors.js';
import type { ManifestEntry } from '../repository/manifest-schema.js';

/** Where an entry lands under the restore folder; raw (non-UTF-8) names keep their bytes. */
export function targetPathOf(root: string, e: ManifestEntry): string | Buffer {
  if (e.raw) return Buffer.concat([Buffer.from(root.endsWith(sep) ? root : root + sep), Buffer.from(e.raw, 'base64')]);
  return join(root, ...e.path.split('/'));
}

/** The folder holding a path; Buffer paths (raw names) stay Buffers. */
export function parentOf(p: string | Buffer): string | Buffer {
  if (typeof p === 'string') return dirname(p);
  const i = p.lastIndexOf(0x2f);
  return i <= 0 ? Buffer.from('/') : p.subarray(0, i);
}

/**
 * Refuses to write through a symlink: the nearest existing ancestor of the target, once
 * resolved, must still be inside the restore folder. Checked before any folder is created,
 * so a planted link cannot steer a mkdir or a write elsewhere.
 */
export async function assertInside(realRoot: string, target: string | Buffer, path: string): Promise<void> {
  let probe = parentOf(target);
  while (!(await lstat(probe).catch(() => undefined))) {
    const up = parentOf(probe);
    if (up.length === probe.length) break;
    probe = up;
  }
  if (!(await resolvesInside(realRoot, probe))) {
    throw new StrataError(
      'unsafe-path',
      `refusing to restore ${JSON.stringify(path)}: a folder on its way links outside the restore folder`,
      'restore into an empty folder, or remove the link',
    );
  }
}

/** True when an existing path, its links followed, is the restore folder or inside it. */
export async function resolvesInside(realRoot: string, existing: string | Buffer): Promise<boolean> {
  const real = await realpath(existing);
  return real === realRoot || real.startsWith(realRoot + sep);
}

/** A symlink's target must stay inside the restore folder. */
export function linkStaysInside(root: string, path: string, target: string): boolean {
  if (isAbsolute(target)) return false;
  const linkDir = dirname(join(root, ...path.split('/')));
  const rel = relative(resolve(root), resolve(linkDir, target));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** "report.pdf" → "report (restored 2).pdf": keep-both never overwrites. */
export function keepBothName(name: string, n: number): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)} (restored ${n})${name.slice(dot)}` : `${name} (restored ${n})`;
}
