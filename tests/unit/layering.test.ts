import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

function sources(dir: string): string[] {
  let out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(sources(p));
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  return specs;
}

/** DESIGN.md §2: the engine runs in plain Node; the renderer and shared code meet the main process only in shared/. */
describe('layering', () => {
  it('electron/engine never imports electron', () => {
    const bad = sources(join(root, 'electron/engine')).flatMap((f) =>
      importsOf(f)
        .filter((s) => s === 'electron' || s.startsWith('electron/'))
        .map((s) => `${relative(root, f)} imports ${s}`),
    );
    expect(bad).toEqual([]);
    expect(sources(join(root, 'electron/engine')).length).toBeGreaterThan(20);
  });

  it('shared/ and renderer/ never import the main process or electron', () => {
    const files = [...sources(join(root, 'shared')), ...sources(join(root, 'renderer'))];
    const bad = files.flatMap((f) =>
      importsOf(f)
        .filter((s) => s === 'electron' || /(^|\/)electron\//.test(s) || s.startsWith('node:'))
        .map((s) => `${relative(root, f)} imports ${s}`),
    );
    expect(bad).toEqual([]);
  });
});
