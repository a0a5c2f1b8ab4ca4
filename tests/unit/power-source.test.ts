import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onBatteryPower } from '../../electron/server/power-source.js';
import { tempDirs } from '../support/temp-dirs.js';

const temp = tempDirs('strata-power-');

async function sysfs(supplies: Record<string, { type: string; online?: string }>): Promise<string> {
  const root = await temp();
  for (const [name, s] of Object.entries(supplies)) {
    await mkdir(join(root, name));
    await writeFile(join(root, name, 'type'), `${s.type}\n`);
    if (s.online !== undefined) await writeFile(join(root, name, 'online'), `${s.online}\n`);
  }
  return root;
}

describe('headless battery detection (Linux sysfs)', () => {
  it('a laptop unplugged is on battery; plugged in is not', async () => {
    expect(onBatteryPower(await sysfs({ AC: { type: 'Mains', online: '0' }, BAT0: { type: 'Battery' } }))).toBe(true);
    expect(onBatteryPower(await sysfs({ AC: { type: 'Mains', online: '1' }, BAT0: { type: 'Battery' } }))).toBe(false);
  });

  it('a server without supplies, or a UPS-less desktop, is on mains', async () => {
    expect(onBatteryPower(join(tmpdir(), 'no-such-power-supply-dir'))).toBe(false);
    expect(onBatteryPower(await sysfs({}))).toBe(false);
    expect(onBatteryPower(await sysfs({ AC: { type: 'Mains', online: '1' } }))).toBe(false);
  });
});
