/**
 * Non-interactive runs: statements from `-e`, `-f` and standard input, in the order given, each
 * printed in the chosen format. The first failing statement stops the run with exit code 1,
 * so `dynasql -f migrate.sql && next-step` does what it says. An interrupt (Ctrl-C) cancels the
 * running statement and stops with 130, the shell's code for a run ended by SIGINT.
 * A script between `BEGIN TRAN` and `COMMIT` is all or nothing: a failing statement stops it before
 * the COMMIT, and the held writes are never sent.
 */
import { runMetaCommand } from './meta-commands.js';
import type { OutputSink } from './output-sink.js';
import { uncommitted, type Session } from './session.js';
import type { SqlStatement } from './split-statements.js';

export interface ScriptSource {
  /** where the statements came from, for error messages (`-e`, `report.sql`, `stdin`) */
  name: string;
  statements: SqlStatement[];
}

export const INTERRUPTED_EXIT_CODE = 130;

/**
 * Backslash commands work in scripts too (`dynasql -e '\dt'`): a statement that starts with `\`
 * is the command on its first line, then SQL on the lines after it, if any.
 */
async function runOne(session: Session, sql: string, interrupt: AbortSignal, stop: () => void): Promise<boolean> {
  if (!sql.startsWith('\\')) return session.execute(sql, interrupt);
  const newline = sql.indexOf('\n');
  const command = newline < 0 ? sql : sql.slice(0, newline);
  const defaultOut: OutputSink = session.out;
  if (!(await runMetaCommand(command, { session, signal: interrupt, defaultOut, quit: stop }))) return false;
  const rest = newline < 0 ? '' : sql.slice(newline + 1).trim();
  return rest === '' || runOne(session, rest, interrupt, stop);
}

export async function runScript(session: Session, sources: ScriptSource[], interrupt: AbortSignal): Promise<number> {
  let quit = false;
  for (const source of sources) {
    for (const statement of source.statements) {
      if (interrupt.aborted) return INTERRUPTED_EXIT_CODE;
      if (quit) return 0;
      const ok = await runOne(session, statement.sql.trimStart(), interrupt, () => { quit = true; });
      if (interrupt.aborted) return INTERRUPTED_EXIT_CODE;
      if (!ok) {
        if (source.name !== '-e') session.info(`(in ${source.name}, statement starting on line ${statement.line})`);
        return 1;
      }
    }
  }
  const open = session.conn.transaction;
  if (open?.isOpen) session.info(uncommitted(open.pendingOperations));
  return 0;
}
