/**
 * `?` placeholders, which neither node-sql-parser dialect accepts, rewritten to `$1`, `$2` … before
 * parsing. Only a `?` outside string literals, quoted identifiers and comments is a placeholder:
 * `SELECT '?' FROM t WHERE a = ?` → `SELECT '?' FROM t WHERE a = $1`.
 */
import { DynasqlError } from '../errors/index.js';
import { spanAt } from './quoting.js';

const QUOTES = '\'"[`';

export interface PlaceholderRewrite {
  sql: string;
  /** how many `?` were replaced */
  count: number;
  /** maps an offset in the rewritten text back to the user's text (for syntax error positions) */
  originalOffset(rewrittenOffset: number): number;
}

export function rewriteQuestionMarks(sql: string): PlaceholderRewrite {
  // most statements hold no `?` at all (not even quoted): nothing to rewrite, no need to scan
  if (!sql.includes('?')) return { sql, count: 0, originalOffset: (offset) => offset };
  let out = '';
  let count = 0;
  let i = 0;
  // [offset in rewritten text where a `$n` ends, extra characters it added]
  const growth: [number, number][] = [];
  while (i < sql.length) {
    const ch = sql[i]!;
    const span = spanAt(sql, i, QUOTES);
    if (span) {
      // quoted text and comments are copied through untouched
      out += sql.slice(i, span.end);
      i = span.end;
    } else if (ch === '?') {
      count++;
      out += `$${count}`;
      growth.push([out.length, String(count).length]);
      i++;
    } else {
      out += ch;
      i++;
    }
  }
  if (count > 0 && /\$\d/.test(sql.replace(/'(?:[^']|'')*'/g, ''))) {
    throw new DynasqlError('DYNASQL_ERR_PARAMETER', 'Use either ? or $n placeholders in one statement, not both');
  }
  const originalOffset = (offset: number) =>
    offset - growth.filter(([end]) => end <= offset).reduce((sum, [, extra]) => sum + extra, 0);
  return { sql: out, count, originalOffset };
}
