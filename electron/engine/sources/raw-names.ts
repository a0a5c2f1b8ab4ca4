import { isUtf8 } from 'node:buffer';

/**
 * File names on Linux are bytes, not text. A name that is valid UTF-8 is used as is. A name
 * that is not keeps its bytes (the entry's `rawPath`) and gets a printable, lossless stand-in
 * for `path`: every byte that is not part of a valid UTF-8 sequence becomes `%XX` (two
 * upper-case hex digits), and a literal '%' becomes '%25' so the stand-in decodes back to the
 * bytes. Only such names are escaped: a valid name keeps any '%' it has, so a valid name could
 * spell the same string as an escaped one; `rawPath` is the authority for those entries.
 */
export function nameFromBytes(bytes: Buffer): { name: string; valid: boolean } {
  if (isUtf8(bytes)) return { name: bytes.toString('utf8'), valid: true };
  return { name: escapeInvalidUtf8(bytes), valid: false };
}

export function escapeInvalidUtf8(bytes: Buffer): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const len = validSequenceLength(bytes, i);
    if (len === 0) {
      out += `%${bytes[i]!.toString(16).toUpperCase().padStart(2, '0')}`;
      i += 1;
    } else if (len === 1 && bytes[i] === 0x25) {
      out += '%25';
      i += 1;
    } else {
      out += bytes.toString('utf8', i, i + len);
      i += len;
    }
  }
  return out;
}

/** Inverse of escapeInvalidUtf8. */
export function unescapeToBytes(escaped: string): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < escaped.length; i++) {
    if (escaped.charCodeAt(i) !== 0x25) continue;
    const hex = escaped.slice(i + 1, i + 3);
    if (!/^[0-9A-F]{2}$/.test(hex)) continue;
    parts.push(Buffer.from(escaped.slice(start, i), 'utf8'), Buffer.from([parseInt(hex, 16)]));
    i += 2;
    start = i + 1;
  }
  parts.push(Buffer.from(escaped.slice(start), 'utf8'));
  return Buffer.concat(parts);
}

/** Length of the well-formed UTF-8 sequence at `i` (Unicode table 3-7), or 0 if there is none. */
function validSequenceLength(b: Buffer, i: number): number {
  const b0 = b[i]!;
  if (b0 < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => {
    const v = b[i + k];
    return v !== undefined && v >= lo && v <= hi;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((b0 >= 0xe1 && b0 <= 0xec) || b0 === 0xee || b0 === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}
