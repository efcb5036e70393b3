/**
 * Transaction-control statement text → `TransactionControl`, through grammar/transaction.peggy, in
 * the words of both dialects (`BEGIN TRAN`, `START TRANSACTION READ ONLY`, `SAVE TRAN s1`,
 * `ROLLBACK TO SAVEPOINT s1`, `COMMIT WORK` …). Anything else, including a T-SQL `BEGIN … END`
 * block, is not transaction control: the answer is undefined and the statement goes on to the other
 * parsers.
 *
 * `parseTransactionControl('begin transaction read only')` → `{action:'begin', readOnly:true}`.
 */
import { parse as parseGrammar } from './generated/transaction-parser.js';

export type TransactionAction = 'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollbackTo';

export interface TransactionControl {
  action: TransactionAction;
  /** a savepoint's name, or the transaction's own (T-SQL `BEGIN TRAN t1`); lower case */
  name?: string;
  /** `BEGIN … READ ONLY` / `READ WRITE` */
  readOnly?: boolean;
}

/** the first word of every form, to skip the grammar for the usual SELECT / INSERT … */
const FIRST_WORD = /^\s*(?:(?:--[^\n]*\n|\/\*[\s\S]*?\*\/)\s*)*(BEGIN|START|COMMIT|END|ROLLBACK|ABORT|SAVEPOINT|SAVE|RELEASE)\b/i;

export function parseTransactionControl(sql: string): TransactionControl | undefined {
  if (!FIRST_WORD.test(sql)) return undefined;
  try {
    return parseGrammar(sql, {}) as TransactionControl;
  } catch {
    return undefined;
  }
}
