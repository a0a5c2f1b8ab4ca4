// `node --import ./register.mjs dist/desktop/main.mjs` runs the desktop main process with the
// stand-in Electron below, so its composition is exercised where the real binary cannot run.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
