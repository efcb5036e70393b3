/** The program: runs `runCli` on this process's argv and streams (bin/dynasql.js imports this). */
import { runCli } from './main.js';

// Outside the REPL (which reads Ctrl-C as a key), the first Ctrl-C cancels the running statement;
// a second one ends the process the usual way.
const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort());

// `dynasql -e ... | head -5`: once the reader has gone, nobody wants the rest; leave quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const code = await runCli({
  argv: process.argv.slice(2),
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stdin: process.stdin,
  interrupt: interrupt.signal,
});
process.exitCode = code;
// The command is done once runCli resolves. If something still holds the event loop (a cancelled
// request's socket draining, an engine's worker), give output a moment to flush, then leave.
setTimeout(() => process.exit(code), 500).unref();
