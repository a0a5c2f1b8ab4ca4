import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Whether a Linux machine runs on battery, from sysfs (the headless host has no Electron
 * powerMonitor). True only when a battery exists and no mains supply is online; machines
 * without /sys/class/power_supply (servers, other systems) are on mains.
 */
export function onBatteryPower(root = '/sys/class/power_supply'): boolean {
  let supplies: string[];
  try {
    supplies = readdirSync(root);
  } catch {
    return false;
  }
  const read = (name: string, file: string): string => {
    try {
      return readFileSync(join(root, name, file), 'utf8').trim();
    } catch {
      return '';
    }
  };
  let battery = false;
  for (const s of supplies) {
    const type = read(s, 'type');
    if (type === 'Mains' && read(s, 'online') === '1') return false;
    if (type === 'Battery') battery = true;
  }
  return battery;
}
