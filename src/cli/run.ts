/** The program: runs `runCli` on this process's argv and streams (bin/dynasql.js imports this). */
import { runCli } from './main.js';

const code = await runCli({ argv: process.argv.slice(2), stdout: process.stdout, stderr: process.stderr, env: process.env, stdin: process.stdin });
process.exitCode = code;
// The command is done once runCli resolves. If something still holds the event loop (a cancelled
// request's socket draining, an engine's worker), give output a moment to flush, then leave.
setTimeout(() => process.exit(code), 500).unref();
