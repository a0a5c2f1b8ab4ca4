/**
 * The rotating deep sample: each object has a fixed place in [0, 100) (from its key), and each
 * run reads the objects in the next window of the given width. Over 100 / width runs every
 * object is read once, whatever was added meanwhile lands somewhere in the rotation.
 */
import { createHash } from 'node:crypto';

export function placeOf(key: string): number {
  return (createHash('sha256').update(key).digest().readUInt32BE(0) / 2 ** 32) * 100;
}

export function inWindow(place: number, start: number, width: number): boolean {
  if (width >= 100) return true;
  const end = start + width;
  return end <= 100 ? place >= start && place < end : place >= start || place < end - 100;
}

export const nextStart = (start: number, width: number): number => (width >= 100 ? 0 : (start + width) % 100);
