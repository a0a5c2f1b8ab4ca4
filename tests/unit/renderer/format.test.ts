import { describe, expect, it } from 'vitest';
import {
  bytesPerSecondToMB,
  formatBytes,
  formatCount,
  formatDuration,
  formatEta,
  formatGrowth,
  formatRate,
  formatRelative,
  formatRunTime,
  mbToBytesPerSecond,
  percent,
  plural,
} from '../../../renderer/src/format.js';

describe('format', () => {
  it('formats bytes in base 1000', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1000)).toBe('1.0 kB');
    expect(formatBytes(1_234_567)).toBe('1.2 MB');
    expect(formatBytes(45_600_000)).toBe('46 MB');
    expect(formatBytes(999_960)).toBe('1.0 MB');
    expect(formatBytes(1_200_000_000)).toBe('1.2 GB');
    expect(formatBytes(3e15)).toBe('3.0 PB');
    expect(formatRate(3_400_000)).toBe('3.4 MB/s');
  });

  it('formats counts, durations and ETAs', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(plural(1, 'file')).toBe('1 file');
    expect(plural(2, 'file')).toBe('2 files');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(200)).toBe('3 min 20 s');
    expect(formatDuration(3600 * 2 + 300)).toBe('2 h 5 min');
    expect(formatDuration(86400 * 3 + 3600 * 4)).toBe('3 d 4 h');
    expect(formatEta(undefined)).toBe('estimating…');
    expect(formatEta(0.2)).toBe('almost done');
    expect(formatEta(120)).toBe('about 2 min left');
  });

  it('formats relative times', () => {
    const now = 1_700_000_000_000;
    expect(formatRelative(now - 10_000, now)).toBe('just now');
    expect(formatRelative(now - 5 * 60_000, now)).toBe('5 minutes ago');
    expect(formatRelative(now - 3 * 3600_000, now)).toBe('3 hours ago');
    expect(formatRelative(now - 86400_000, now)).toBe('yesterday');
    expect(formatRelative(now + 2 * 3600_000, now)).toBe('in 2 hours');
  });

  it('converts MB/s and bytes per second both ways', () => {
    expect(mbToBytesPerSecond('')).toBeNull();
    expect(mbToBytesPerSecond('2.5')).toBe(2_500_000);
    expect(mbToBytesPerSecond('0,5')).toBe(500_000);
    expect(mbToBytesPerSecond('fast')).toBeNaN();
    expect(mbToBytesPerSecond('-1')).toBeNaN();
    expect(bytesPerSecondToMB(null)).toBe('');
    expect(bytesPerSecondToMB(2_500_000)).toBe('2.5');
    expect(percent(1, 4)).toBe(25);
    expect(percent(0, 0)).toBe(100);
  });

  it('says when a run comes in 24-hour time, in the schedule’s time zone', () => {
    const now = Date.UTC(2025, 4, 14, 20, 0); // Wed 14 May 2025, 20:00 UTC
    expect(formatRunTime(Date.UTC(2025, 4, 14, 23, 30), 'UTC', now)).toBe('today 23:30');
    expect(formatRunTime(Date.UTC(2025, 4, 15, 2, 30), 'UTC', now)).toBe('tomorrow 02:30');
    expect(formatRunTime(Date.UTC(2025, 4, 17, 2, 30), 'UTC', now)).toBe('Sat 17 May 02:30');
    expect(formatRunTime(Date.UTC(2026, 0, 2, 2, 30), 'UTC', now)).toBe('Fri 2 Jan 2026 02:30');
    // 23:30 UTC is already tomorrow 01:30 in Berlin (summer time).
    expect(formatRunTime(Date.UTC(2025, 4, 14, 23, 30), 'Europe/Berlin', now)).toBe('tomorrow 01:30');
    // A zone the browser does not know falls back to its own instead of throwing.
    expect(() => formatRunTime(now, 'Not/AZone', now)).not.toThrow();
  });

  it('says how fast the stored data grows', () => {
    expect(formatGrowth(1_200_000_000)).toBe('+1.2 GB a week');
    expect(formatGrowth(-300_000_000)).toBe('−300 MB a week');
    expect(formatGrowth(0.2)).toBe('No growth');
  });
});
