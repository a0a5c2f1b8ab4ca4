/** Compiles electron/engine/vault/gear-scan.wat; resolves to its bytes in base64. */
export function compileGearScan(): Promise<string>;
/** Where gear-scan.ts holds the bytes: the string assigned to GEAR_WASM (group 2). */
export const GEAR_WASM_STRING: RegExp;
