import { describe, expect, it } from 'vitest';
import {
  baseName,
  isSafeRelativePath,
  isSameOrUnder,
  joinPath,
  normalizeFolder,
  parentOf,
} from '../../shared/paths.js';
import { StrataError } from '../../shared/errors.js';

describe('normalizeFolder', () => {
  it.each([
    ['/', ''],
    ['', ''],
    ['.', ''],
    ['//', ''],
    ['a', 'a'],
    ['a/b/', 'a/b'],
    ['/a//b', 'a/b'],
    ['./a/./b/.', 'a/b'],
    ['/photos/2024 summer/', 'photos/2024 summer'],
    ['/ünïcode/名前', 'ünïcode/名前'],
    ['a/..b/c..', 'a/..b/c..'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeFolder(input)).toBe(expected);
  });

  it.each(['..', '/..', 'a/../b', 'a/b/..', '../a'])('refuses %j with a usage error', (input) => {
    try {
      normalizeFolder(input);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(StrataError);
      expect((err as StrataError).code).toBe('usage');
      expect((err as StrataError).message).toContain('..');
    }
  });

  it('refuses NUL characters', () => {
    expect(() => normalizeFolder('a\0b')).toThrow(StrataError);
  });
});

describe('isSafeRelativePath', () => {
  it.each(['a', 'a/b/c.txt', '.hidden', 'a/..b', 'b../c', 'dir/file with spaces', '名前/ファイル', 'a%FF/b', 'a\\b'])(
    'accepts %j',
    (p) => {
      expect(isSafeRelativePath(p)).toBe(true);
    },
  );

  it.each([
    '',
    '/',
    '/etc/passwd',
    '..',
    '../x',
    'a/../../x',
    'a/..',
    'a//b',
    'a/',
    './a',
    'a/./b',
    'a\0b',
    '\\\\server\\share\\x',
    '\\x',
    'C:\\Windows\\x',
    'c:/x',
    'C:x',
    'a\\..\\..\\x',
    'a/..\\x',
    'a/b\\..',
  ])('refuses %j', (p) => {
    expect(isSafeRelativePath(p)).toBe(false);
  });
});

describe('parentOf / baseName / joinPath', () => {
  it('splits and joins paths', () => {
    expect(parentOf('a/b/c')).toBe('a/b');
    expect(parentOf('a')).toBe('');
    expect(parentOf('')).toBe('');
    expect(baseName('a/b/c.txt')).toBe('c.txt');
    expect(baseName('c.txt')).toBe('c.txt');
    expect(baseName('')).toBe('');
    expect(joinPath('', 'x')).toBe('x');
    expect(joinPath('a/b', 'x')).toBe('a/b/x');
  });
});

describe('isSameOrUnder', () => {
  it('knows what is under a folder', () => {
    expect(isSameOrUnder('a/b', '')).toBe(true);
    expect(isSameOrUnder('', '')).toBe(true);
    expect(isSameOrUnder('a', 'a')).toBe(true);
    expect(isSameOrUnder('a/b', 'a')).toBe(true);
    expect(isSameOrUnder('a/b/c', 'a/b')).toBe(true);
    expect(isSameOrUnder('ab', 'a')).toBe(false);
    expect(isSameOrUnder('a', 'a/b')).toBe(false);
    expect(isSameOrUnder('b/a', 'a')).toBe(false);
    expect(isSameOrUnder('', 'a')).toBe(false);
    expect(isSameOrUnder('photos-old/x', 'photos')).toBe(false);
  });
});
