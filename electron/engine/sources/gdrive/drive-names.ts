/**
 * How Drive items become paths. Drive allows '/', '.', '..' and empty names, and many items with
 * one name in one folder; a path needs none of that. Names are escaped reversibly, Docs Editors
 * files get the extension of the format they are exported in, and duplicates get stable,
 * distinct names (the oldest keeps the plain name, the others carry part of their Drive id).
 */
import type { DriveExportFormats } from '../../../../shared/api/entities.js';

export const FOLDER_MIME = 'application/vnd.google-apps.folder';
export const SHORTCUT_MIME = 'application/vnd.google-apps.shortcut';
const NATIVE_PREFIX = 'application/vnd.google-apps.';

type ExportKind = keyof Required<DriveExportFormats>;
const KIND_OF_MIME: Record<string, ExportKind> = {
  'application/vnd.google-apps.document': 'document',
  'application/vnd.google-apps.spreadsheet': 'spreadsheet',
  'application/vnd.google-apps.presentation': 'presentation',
  'application/vnd.google-apps.drawing': 'drawing',
};

export const DEFAULT_EXPORTS: Required<DriveExportFormats> = {
  document: 'docx',
  spreadsheet: 'xlsx',
  presentation: 'pptx',
  drawing: 'svg',
};

const EXPORT_MIME: Record<string, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  odt: 'application/vnd.oasis.opendocument.text',
  txt: 'text/plain',
  md: 'text/markdown',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  csv: 'text/csv',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odp: 'application/vnd.oasis.opendocument.presentation',
  svg: 'image/svg+xml',
  png: 'image/png',
  pdf: 'application/pdf',
};

export interface ExportChoice {
  extension: string;
  mimeType: string;
}

/** Docs Editors files: exported; other Google types (Forms, Sites, Maps…) have no export the API offers. */
export function exportFor(mime: string, formats: DriveExportFormats | undefined): ExportChoice | undefined {
  const kind = KIND_OF_MIME[mime];
  if (!kind) return undefined;
  const extension = formats?.[kind] ?? DEFAULT_EXPORTS[kind];
  return { extension, mimeType: EXPORT_MIME[extension]! };
}

/** Google types without bytes and without an export (Forms, Sites, My Maps, Apps Script…). */
export function isUnexportable(mime: string): boolean {
  return mime.startsWith(NATIVE_PREFIX) && mime !== FOLDER_MIME && mime !== SHORTCUT_MIME && !KIND_OF_MIME[mime];
}

// '%' is escaped only where it would read as one of these codes, so "100% done" stays as it is.
const ESCAPED = /%(?=2F|25|2E|00)/gi;
const CODE = /%(2F|25|2E|00)/gi;

/** A Drive name as one path segment: '/' → %2F, '.'/'..' → %2E, '' → %00; reversible. */
export function escapeName(name: string): string {
  if (name === '') return '%00';
  const out = name.replace(ESCAPED, '%25').replace(/\//g, '%2F');
  return out === '.' ? '%2E' : out === '..' ? '%2E%2E' : out;
}

export function unescapeName(segment: string): string {
  if (segment === '%00') return '';
  return segment.replace(CODE, (_m, code: string) => (code === '00' ? '\0' : String.fromCharCode(parseInt(code, 16))));
}

export interface NamedItem {
  id: string;
  name: string;
  mime: string;
  createdMs: number;
}

/** The segment of an item before de-duplication: escaped, with its export extension. */
export function baseName(item: NamedItem, formats: DriveExportFormats | undefined): string {
  const exp = exportFor(item.mime, formats);
  return escapeName(item.name) + (exp ? `.${exp.extension}` : '');
}

function withTag(name: string, tag: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)} (${tag})${name.slice(dot)}` : `${name} (${tag})`;
}

/**
 * Path segments for the children of one folder, by id. The oldest of a clash keeps the name
 * (ties by id), so adding a newer duplicate renames nothing that was already backed up.
 */
export function childSegments<T extends NamedItem>(
  items: T[],
  formats: DriveExportFormats | undefined,
): Map<string, T & { segment: string }> {
  const groups = new Map<string, T[]>();
  for (const it of items) {
    const base = baseName(it, formats);
    const g = groups.get(base);
    if (g) g.push(it);
    else groups.set(base, [it]);
  }
  const taken = new Set(groups.keys());
  const out = new Map<string, T & { segment: string }>();
  for (const [base, group] of groups) {
    group.sort((a, b) => a.createdMs - b.createdMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    group.forEach((it, i) => {
      let segment = base;
      if (i > 0) {
        segment = withTag(base, it.id.slice(0, 8));
        if (taken.has(segment)) segment = withTag(base, it.id);
        taken.add(segment);
      }
      out.set(it.id, { ...it, segment });
    });
  }
  return out;
}
