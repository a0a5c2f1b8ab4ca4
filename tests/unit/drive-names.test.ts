import { describe, expect, it } from 'vitest';
import {
  baseName,
  childSegments,
  escapeName,
  exportFor,
  isUnexportable,
  unescapeName,
} from '../../electron/engine/sources/gdrive/drive-names.js';
import { isSafeRelativePath } from '../../shared/paths.js';

const item = (id: string, name: string, createdMs: number, mime = 'text/plain') => ({ id, name, mime, createdMs });

describe('Drive names as path segments', () => {
  it('escapes what a path cannot hold, reversibly, and leaves ordinary names alone', () => {
    const names = [
      'plain.txt',
      '100% done',
      'a/b',
      '%2F',
      'a%2Fb',
      '%25',
      'x%2e',
      '.',
      '..',
      '',
      '%00',
      'a/%/b',
      '...',
      '.hidden',
    ];
    for (const n of names) {
      const seg = escapeName(n);
      expect(seg).not.toContain('/');
      expect(isSafeRelativePath(seg)).toBe(true);
      expect(unescapeName(seg)).toBe(n);
    }
    expect(escapeName('100% done')).toBe('100% done');
    expect(escapeName('a/b')).toBe('a%2Fb');
    expect(escapeName('a%2Fb')).toBe('a%252Fb');
    expect(escapeName('..')).toBe('%2E%2E');
    expect(escapeName('')).toBe('%00');
  });

  it('gives Docs Editors files the extension of their export, by kind, with the chosen formats', () => {
    expect(baseName(item('1', 'Plan', 0, 'application/vnd.google-apps.document'), undefined)).toBe('Plan.docx');
    expect(baseName(item('1', 'Plan', 0, 'application/vnd.google-apps.document'), { document: 'pdf' })).toBe(
      'Plan.pdf',
    );
    expect(exportFor('application/vnd.google-apps.spreadsheet', { spreadsheet: 'csv' })).toEqual({
      extension: 'csv',
      mimeType: 'text/csv',
    });
    expect(exportFor('application/vnd.google-apps.drawing', undefined)?.extension).toBe('svg');
    expect(exportFor('application/pdf', undefined)).toBeUndefined();
    expect(isUnexportable('application/vnd.google-apps.form')).toBe(true);
    expect(isUnexportable('application/vnd.google-apps.folder')).toBe(false);
    expect(isUnexportable('image/png')).toBe(false);
  });

  it('names duplicates stably: the oldest keeps the name, whatever the listing order', () => {
    const a = item('AAAAAAAAAAold', 'report.pdf', 1);
    const b = item('BBBBBBBBBBnew', 'report.pdf', 2);
    const c = item('CCCCCCCCCCnewest', 'report.pdf', 3);
    const one = childSegments([c, a, b], undefined);
    const two = childSegments([b, c, a], undefined);
    expect([...one.values()].map((x) => [x.id, x.segment]).sort()).toEqual([
      ['AAAAAAAAAAold', 'report.pdf'],
      ['BBBBBBBBBBnew', 'report (BBBBBBBB).pdf'],
      ['CCCCCCCCCCnewest', 'report (CCCCCCCC).pdf'],
    ]);
    expect([...two.values()].map((x) => [x.id, x.segment]).sort()).toEqual(
      [...one.values()].map((x) => [x.id, x.segment]).sort(),
    );
  });

  it('a Doc exported as report.pdf and a real report.pdf do not collide; a tag that is taken uses the whole id', () => {
    const doc = item('D1234567xyz', 'report', 5, 'application/vnd.google-apps.document');
    const pdf = item('P1234567xyz', 'report.docx', 1, 'application/pdf');
    const segs = childSegments([doc, pdf], undefined);
    expect(segs.get('P1234567xyz')!.segment).toBe('report.docx');
    expect(segs.get('D1234567xyz')!.segment).toBe('report (D1234567).docx');
    const tricky = childSegments(
      [item('X1234567aaa', 'n', 1), item('X1234567bbb', 'n', 2), item('Z', 'n (X1234567)', 0)],
      undefined,
    );
    expect(new Set([...tricky.values()].map((x) => x.segment)).size).toBe(3);
    expect(tricky.get('X1234567bbb')!.segment).toBe('n (X1234567bbb)');
  });
});
