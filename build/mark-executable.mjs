// npm links `bin` entries as-is; the compiled CLI needs its exec bit for direct use.
import { chmodSync, existsSync } from 'node:fs';
const cli = new URL('../dist/electron/server/cli.js', import.meta.url);
if (existsSync(cli)) chmodSync(cli, 0o755);
