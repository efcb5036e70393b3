/**
 * Results longer than the terminal go through a pager, as in psql: `$PAGER` when set (an empty
 * `PAGER=` turns paging off), else `less -RSFX` (colours kept, long lines cut rather than wrapped,
 * quits at once when the text fits). Only for a person at a terminal: scripts, pipes and `\o file`
 * never page.
 *
 *   const pager = terminalPager({ env: process.env, stdout: process.stdout, suspendInput, resumeInput });
 *   if (!(await pager?.(text))) stdout.write(text);   // false: it fits, or no pager could start
 */
import { spawn } from 'node:child_process';

export type Pager = (text: string) => Promise<boolean>;

export interface PagerOptions {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; rows?: number };
  /** stop reading the terminal while the pager has it (readline would take its keys) */
  suspendInput: () => void;
  resumeInput: () => void;
}

const DEFAULT_PAGER = 'less -RSFX';

/** undefined when paging is off: not a terminal, or `PAGER` set to nothing */
export function terminalPager(options: PagerOptions): Pager | undefined {
  if (options.stdout.isTTY !== true) return undefined;
  const command = options.env.PAGER === undefined ? DEFAULT_PAGER : options.env.PAGER.trim();
  if (command === '') return undefined;
  return async (text) => {
    const rows = options.stdout.rows ?? 24;
    if (lineCount(text) < rows - 1) return false;
    options.suspendInput();
    try {
      return await runPager(command, text, options.env);
    } finally {
      options.resumeInput();
    }
  };
}

function lineCount(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** resolves true once the pager has shown the text and quit; false when it could not start */
function runPager(command: string, text: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve) => {
    // through the shell: PAGER holds a command line (`less -S`, `most`)
    const child = spawn(command, { shell: true, stdio: ['pipe', 'inherit', 'inherit'], env });
    let started = true;
    child.once('error', () => {
      started = false;
      resolve(false);
    });
    // the user may quit the pager before reading everything: the pipe then closes early
    child.stdin.on('error', () => undefined);
    child.stdin.end(text);
    child.once('exit', (code) => {
      // 127: the shell did not find the command; the caller prints the text itself
      if (started) resolve(code !== 127);
    });
  });
}
