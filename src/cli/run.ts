/** The program: runs `runCli` on this process's argv and streams (bin/dynasql.js imports this). */
import { runCli } from './main.js';

process.exitCode = await runCli({ argv: process.argv.slice(2), stdout: process.stdout, stderr: process.stderr, env: process.env });
