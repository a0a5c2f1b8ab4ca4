/** Compiles electron/engine/vault/gear-scan.wat; resolves to its bytes in base64. */
export function compileGearScan(): Promise<string>;
