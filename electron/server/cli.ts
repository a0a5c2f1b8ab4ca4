#!/usr/bin/env node
import { runCli } from './cli/program.js';

// The AWS SDK warns once per process about Node 20 on stderr; the CLI's own output is what users read.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.exitCode = await runCli(process.argv.slice(2));
