import { describe, expect, it } from 'vitest';
import { compilePolicies, rebase, type FolderPolicy } from '../../shared/policy.js';
import { StrataError } from '../../shared/errors.js';

const policy = (
  folder: string,
  destinations: Record<string, boolean>,
  excludes: string[] = [],
  maxSize?: number,
): FolderPolicy => ({
  folder,
  destinations,
  excludes,
  maxSize,
});

describe('destinationsFor: nested overrides', () => {
  // root → A,B; /photos → only B; /photos/raw → A again; /tmp → none
  const r = compilePolicies([
    policy('', { A: true, B: true }),
    policy('photos', { A: false }),
    policy('photos/raw', { A: true }),
    policy('tmp', { A: false, B: false }),
  ]);

  it.each([
    ['notes.txt', ['A', 'B']],
    ['docs/deep/er/file.md', ['A', 'B']],
    ['photos/cat.jpg', ['B']],
    ['photos/2024/july/beach.jpg', ['B']],
    ['photos/raw/img.cr2', ['A', 'B']],
    ['photos/raw/2024/img.cr2', ['A', 'B']],
    ['photos-old/x.jpg', ['A', 'B']],
    ['photosraw/x', ['A', 'B']],
    ['tmp/scratch', []],
    ['tmp/a/b/c', []],
    ['tmpfile', ['A', 'B']],
  ])('%s → %j', (path, expected) => {
    expect(r.destinationsFor(path)).toEqual(expected);
  });

  it('answers for folders too, including a policy folder itself', () => {
    expect(r.destinationsFor('', undefined, true)).toEqual(['A', 'B']);
    expect(r.destinationsFor('photos', undefined, true)).toEqual(['B']);
    expect(r.destinationsFor('photos/raw', undefined, true)).toEqual(['A', 'B']);
    expect(r.destinationsFor('tmp', undefined, true)).toEqual([]);
  });

  it('gives the same answers whatever order the policies come in', () => {
    const shuffled = compilePolicies([
      policy('photos/raw', { A: true }),
      policy('tmp', { A: false, B: false }),
      policy('', { A: true, B: true }),
      policy('photos', { A: false }),
    ]);
    for (const p of ['notes.txt', 'photos/a', 'photos/raw/b', 'tmp/c']) {
      expect(shuffled.destinationsFor(p)).toEqual(r.destinationsFor(p));
    }
  });

  it('accepts folders in user spelling and merges duplicates (later wins)', () => {
    const s = compilePolicies([
      policy('/', { A: true }),
      policy('/photos/', { A: false }),
      policy('photos', { B: true }),
    ]);
    expect(s.destinationsFor('photos/x')).toEqual(['B']);
    expect(s.destinationsFor('x')).toEqual(['A']);
  });
});

describe('destinationsFor: unmentioned destinations', () => {
  it('sends nowhere without any policy', () => {
    const r = compilePolicies([]);
    expect(r.destinationsFor('a/b')).toEqual([]);
    expect(r.shouldDescend('')).toBe(false);
    expect(r.isExcluded('a', true)).toBe(false);
  });

  it('sends only where a policy on the path says so', () => {
    const r = compilePolicies([
      policy('work', { A: true }),
      policy('work/secret', { C: true }),
      policy('home', { B: true }),
    ]);
    expect(r.destinationsFor('readme')).toEqual([]);
    expect(r.destinationsFor('work/a')).toEqual(['A']);
    expect(r.destinationsFor('work/secret/k')).toEqual(['A', 'C']);
    expect(r.destinationsFor('home/h')).toEqual(['B']);
    expect(r.destinationsFor('homework/x')).toEqual([]);
  });

  it('a false on a destination no ancestor includes changes nothing', () => {
    const r = compilePolicies([policy('', { A: true }), policy('x', { Z: false })]);
    expect(r.destinationsFor('x/y')).toEqual(['A']);
  });
});

describe('isExcluded: gitignore semantics across policies', () => {
  it('inherits patterns: a root pattern applies at every depth, an anchored one only at its level', () => {
    const r = compilePolicies([policy('', { A: true }, ['*.tmp', '/build', 'docs/private'])]);
    expect(r.isExcluded('a.tmp', false)).toBe(true);
    expect(r.isExcluded('x/y/z/a.tmp', false)).toBe(true);
    expect(r.isExcluded('a.tmpx', false)).toBe(false);
    expect(r.isExcluded('build', true)).toBe(true);
    expect(r.isExcluded('build/out.o', false)).toBe(true);
    expect(r.isExcluded('src/build', true)).toBe(false);
    expect(r.isExcluded('docs/private', true)).toBe(true);
    expect(r.isExcluded('docs/private/x', false)).toBe(true);
    expect(r.isExcluded('other/docs/private', true)).toBe(false);
    expect(r.destinationsFor('x/a.tmp')).toEqual([]);
    expect(r.destinationsFor('x/a.txt')).toEqual(['A']);
  });

  it('patterns of a sub-folder policy are relative to that folder', () => {
    const r = compilePolicies([policy('', { A: true }), policy('projects', {}, ['/dist', 'cache'])]);
    expect(r.isExcluded('projects/dist', true)).toBe(true);
    expect(r.isExcluded('projects/dist/a.js', false)).toBe(true);
    expect(r.isExcluded('projects/app/dist', true)).toBe(false);
    expect(r.isExcluded('dist', true)).toBe(false);
    expect(r.isExcluded('projects/app/cache', true)).toBe(true);
    expect(r.isExcluded('projects/cache', false)).toBe(true);
    expect(r.isExcluded('cache', false)).toBe(false);
    expect(r.isExcluded('projects', true)).toBe(false);
  });

  it('directory patterns like node_modules/ match folders only, with everything under them', () => {
    const r = compilePolicies([policy('', { A: true }, ['node_modules/'])]);
    expect(r.isExcluded('node_modules', true)).toBe(true);
    expect(r.isExcluded('app/node_modules', true)).toBe(true);
    expect(r.isExcluded('app/node_modules/lib/index.js', false)).toBe(true);
    expect(r.isExcluded('app/node_modules', false)).toBe(false);
    expect(r.shouldDescend('app/node_modules')).toBe(false);
    expect(r.shouldDescend('app')).toBe(true);
  });

  it('negation re-includes within one policy and from a deeper policy', () => {
    const r = compilePolicies([
      policy('', { A: true }, ['*.log', '!keep.log']),
      policy('logs', {}, ['!*.log']),
      policy('logs/old', {}, ['*.log']),
    ]);
    expect(r.isExcluded('a.log', false)).toBe(true);
    expect(r.isExcluded('x/keep.log', false)).toBe(false);
    expect(r.isExcluded('logs/app.log', false)).toBe(false);
    expect(r.isExcluded('logs/deep/app.log', false)).toBe(false);
    expect(r.isExcluded('logs/old/app.log', false)).toBe(true);
    expect(r.isExcluded('logs/old/keep.log', false)).toBe(true);
    expect(r.destinationsFor('logs/app.log')).toEqual(['A']);
  });

  it('a deeper policy can re-include a folder a shallower one excluded', () => {
    const r = compilePolicies([policy('', { A: true }, ['build/']), policy('app', {}, ['!build/'])]);
    expect(r.isExcluded('build', true)).toBe(true);
    expect(r.isExcluded('app/build', true)).toBe(false);
    expect(r.isExcluded('app/build/x.o', false)).toBe(false);
    expect(r.isExcluded('app/sub/build/x.o', false)).toBe(false);
    expect(r.isExcluded('other/build/x.o', false)).toBe(true);
  });

  it('nothing is re-included inside an excluded folder (as in git)', () => {
    const r = compilePolicies([policy('', { A: true }, ['secret/', '!secret/ok.txt'])]);
    expect(r.isExcluded('secret/ok.txt', false)).toBe(true);
  });

  it('a policy on an excluded folder cannot bring it back, its own patterns never match the folder itself', () => {
    const r = compilePolicies([policy('', { A: true }, ['/vault']), policy('vault', { B: true }, ['*'])]);
    expect(r.isExcluded('vault', true)).toBe(true);
    expect(r.destinationsFor('vault/x')).toEqual([]);
    expect(r.shouldDescend('vault')).toBe(false);
    const s = compilePolicies([policy('', { A: true }), policy('a', {}, ['*'])]);
    expect(s.isExcluded('a', true)).toBe(false);
    expect(s.isExcluded('a/x', false)).toBe(true);
  });

  it('is case-sensitive unless asked otherwise', () => {
    const pols = [policy('', { A: true }, ['*.jpg'])];
    expect(compilePolicies(pols).isExcluded('A.JPG', false)).toBe(false);
    expect(compilePolicies(pols, { ignoreCase: true }).isExcluded('A.JPG', false)).toBe(true);
  });

  it('treats glob characters and leading !/# in folder names literally', () => {
    const r = compilePolicies([
      policy('', { A: true }),
      policy('a*b', {}, ['x']),
      policy('[c]', {}, ['/y']),
      policy('!bang/#hash', {}, ['z']),
      policy('back\\slash?', {}, ['w']),
    ]);
    expect(r.isExcluded('a*b/x', false)).toBe(true);
    expect(r.isExcluded('aZb/x', false)).toBe(false);
    expect(r.isExcluded('[c]/y', false)).toBe(true);
    expect(r.isExcluded('c/y', false)).toBe(false);
    expect(r.isExcluded('!bang/#hash/q/z', false)).toBe(true);
    expect(r.isExcluded('back\\slash?/w', false)).toBe(true);
    expect(r.isExcluded('back\\slashX/w', false)).toBe(false);
  });

  it('ignores blank patterns and comments', () => {
    const r = compilePolicies([policy('', { A: true }, ['', '   ', '# *.txt']), policy('d', {}, ['#x', '!'])]);
    expect(r.isExcluded('a.txt', false)).toBe(false);
    expect(r.isExcluded('d/#x', false)).toBe(false);
  });

  it('rebases patterns the way git reads a nested .gitignore', () => {
    expect(rebase('*.log', 'a/b')).toBe('a/b/**/*.log');
    expect(rebase('/x', 'a')).toBe('a/x');
    expect(rebase('x/y', 'a')).toBe('a/x/y');
    expect(rebase('x/', 'a')).toBe('a/**/x/');
    expect(rebase('!x', 'a')).toBe('!a/**/x');
    expect(rebase('**/x', 'a')).toBe('a/**/x');
    expect(rebase('*.log', '')).toBe('*.log');
    expect(rebase('# note', 'a')).toBeUndefined();
  });

  it('stays correct past the matcher cache limit', () => {
    const r = compilePolicies([policy('', { A: true }, ['*.o', 'skip/'])]);
    let wrong = 0;
    for (let i = 0; i < 25_000; i++) {
      if (!r.isExcluded(`d${i % 50}/f${i}.o`, false)) wrong++;
      if (r.isExcluded(`d${i % 50}/f${i}.c`, false)) wrong++;
      if (!r.isExcluded(`d${i % 50}/skip/f${i}.c`, false)) wrong++;
    }
    expect(wrong).toBe(0);
  });
});

describe('maxSize', () => {
  const r = compilePolicies([
    policy('', { A: true }, [], 1000),
    policy('videos', { B: true }, [], 10),
    policy('videos/keep', {}),
    policy('nolimit', {}, [], 0),
  ]);

  it('the deepest policy setting a cap wins', () => {
    expect(r.maxSizeFor('a')).toBe(1000);
    expect(r.maxSizeFor('videos/a.mp4')).toBe(10);
    expect(r.maxSizeFor('videos/keep/a.mp4')).toBe(10);
    expect(r.maxSizeFor('nolimit/x')).toBe(0);
    expect(compilePolicies([policy('', { A: true })]).maxSizeFor('x')).toBeUndefined();
  });

  it('files over the cap go nowhere; at the cap they go', () => {
    expect(r.destinationsFor('a', 1000)).toEqual(['A']);
    expect(r.destinationsFor('a', 1001)).toEqual([]);
    expect(r.destinationsFor('videos/v.mp4', 10)).toEqual(['A', 'B']);
    expect(r.destinationsFor('videos/v.mp4', 11)).toEqual([]);
    expect(r.destinationsFor('nolimit/empty', 0)).toEqual(['A']);
    expect(r.destinationsFor('nolimit/one', 1)).toEqual([]);
    expect(r.destinationsFor('videos', 1_000_000, true)).toEqual(['A', 'B']);
  });

  it('refuses a cap that is not a size', () => {
    expect(() => compilePolicies([policy('', { A: true }, [], -1)])).toThrow(StrataError);
    expect(() => compilePolicies([policy('', { A: true }, [], Number.NaN)])).toThrow(StrataError);
  });
});

describe('shouldDescend', () => {
  const r = compilePolicies([
    policy('', { A: true }, ['node_modules/']),
    policy('tmp', { A: false }),
    policy('tmp/keep/this', { B: true }),
    policy('cache', { A: false }),
    policy('cache/sub', { A: false }),
  ]);

  it('descends where something is sent', () => {
    expect(r.shouldDescend('')).toBe(true);
    expect(r.shouldDescend('docs')).toBe(true);
    expect(r.shouldDescend('tmp/keep/this')).toBe(true);
    expect(r.shouldDescend('tmp/keep/this/deeper')).toBe(true);
  });

  it('descends towards a deeper policy that sends somewhere', () => {
    expect(r.shouldDescend('tmp')).toBe(true);
    expect(r.shouldDescend('tmp/keep')).toBe(true);
  });

  it('prunes where nothing can be sent', () => {
    expect(r.shouldDescend('tmp/other')).toBe(false);
    expect(r.shouldDescend('tmp/keepx')).toBe(false);
    expect(r.shouldDescend('cache')).toBe(false);
    expect(r.shouldDescend('cache/sub/x')).toBe(false);
  });

  it('prunes excluded folders', () => {
    expect(r.shouldDescend('node_modules')).toBe(false);
    expect(r.shouldDescend('a/b/node_modules')).toBe(false);
  });

  it('without a root policy, only the way to a policy folder is walked', () => {
    const s = compilePolicies([policy('home/me/docs', { A: true })]);
    expect(s.shouldDescend('')).toBe(true);
    expect(s.shouldDescend('home')).toBe(true);
    expect(s.shouldDescend('home/me')).toBe(true);
    expect(s.shouldDescend('home/you')).toBe(false);
    expect(s.shouldDescend('var')).toBe(false);
    expect(s.shouldDescend('home/me/docs/x')).toBe(true);
  });
});

describe('scale', () => {
  it('resolves 300,000 paths of a large tree', () => {
    const r = compilePolicies([
      policy('', { A: true, B: true }, ['*.tmp', 'node_modules/']),
      policy('photos', { A: false }),
      policy('photos/raw', { A: true }, ['*.xmp']),
    ]);
    let sent = 0;
    for (let d = 0; d < 300; d++) {
      const dir = d % 3 === 0 ? `photos/raw/d${d}` : d % 3 === 1 ? `photos/d${d}` : `docs/d${d}`;
      if (!r.shouldDescend(dir)) continue;
      for (let f = 0; f < 1000; f++) {
        const path = `${dir}/file${f}.jpg`;
        sent += r.destinationsFor(path, f).length;
      }
    }
    expect(sent).toBe(100 * 1000 * 2 + 100 * 1000 * 1 + 100 * 1000 * 2);
  });
});
