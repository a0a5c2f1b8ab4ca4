// Compiles electron/engine/vault/gear-scan.wat and writes its bytes (base64) into the GEAR_WASM
// string of gear-scan.ts, so the runtime needs no compiler and no file beside the bundle.
// Run after editing the .wat: node build/gear-scan-wasm.mjs
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

const root = fileURLToPath(new URL('..', import.meta.url));
const watPath = `${root}electron/engine/vault/gear-scan.wat`;
const tsPath = `${root}electron/engine/vault/gear-scan.ts`;

/** Where gear-scan.ts holds the bytes: the string assigned to GEAR_WASM (group 2). */
export const GEAR_WASM_STRING = /(const GEAR_WASM =\s*')([^']*)(')/;

export async function compileGearScan() {
  const wabt = await wabtInit();
  const module = wabt.parseWat('gear-scan.wat', await readFile(watPath, 'utf8'));
  try {
    module.validate();
    return Buffer.from(module.toBinary({}).buffer).toString('base64');
  } finally {
    module.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const base64 = await compileGearScan();
  const ts = await readFile(tsPath, 'utf8');
  const updated = ts.replace(GEAR_WASM_STRING, `$1${base64}$3`);
  if (updated === ts && !ts.includes(base64)) throw new Error('GEAR_WASM not found in gear-scan.ts');
  await writeFile(tsPath, updated);
  console.log(`gear-scan.ts: ${Buffer.from(base64, 'base64').length} bytes of WebAssembly`);
}
