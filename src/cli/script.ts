/**
 * Non-interactive runs: statements from `-e`, `-f` and standard input, in the order given, each
 * printed in the chosen format. The first failing statement stops the run with exit code 1,
 * so `dynasql -f migrate.sql && next-step` does what it says. An interrupt (Ctrl-C) cancels the
 * running statement and stops with 130, the shell's code for a run ended by SIGINT.
 * A script between `BEGIN TRAN` and `COMMIT` is all or nothing: a failing statement stops it before
 * the COMMIT, and the held writes are never sent.
 */
import { uncommitted, type Session } from './session.js';
import type { SqlStatement } from './split-statements.js';

export interface ScriptSource {
  /** where the statements came from, for error messages (`-e`, `report.sql`, `stdin`) */
  name: string;
  statements: SqlStatement[];
}

export const INTERRUPTED_EXIT_CODE = 130;

export async function runScript(session: Session, sources: ScriptSource[], interrupt: AbortSignal): Promise<number> {
  for (const source of sources) {
    for (const statement of source.statements) {
      if (interrupt.aborted) return INTERRUPTED_EXIT_CODE;
      const ok = await session.execute(statement.sql, interrupt);
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
