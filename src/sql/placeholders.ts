/**
 * `?` placeholders, which neither node-sql-parser dialect accepts, rewritten to `$1`, `$2` … before
 * parsing. Only a `?` outside string literals, quoted identifiers and comments is a placeholder:
 * `SELECT '?' FROM t WHERE a = ?` → `SELECT '?' FROM t WHERE a = $1`.
 */
import { DynasqlError } from '../errors/index.js';
import { quotedTokenAt, QuotingError, spanAt, isSqlWordChar, type QuotingDialect } from './quoting.js';

export interface PlaceholderRewrite {
  sql: string;
  /** how many `?` were replaced */
  count: number;
  /** maps an offset in the rewritten text back to the user's text (for syntax error positions) */
  originalOffset(rewrittenOffset: number): number;
}

export function rewriteQuestionMarks(sql: string, dialect: QuotingDialect = 'tsql'): PlaceholderRewrite {
  // most statements hold no `?` at all (not even quoted): nothing to rewrite, no need to scan
  if (!sql.includes('?')) return { sql, count: 0, originalOffset: (offset) => offset };
  let out = '';
  let count = 0;
  let dollarParams = false;
  let i = 0;
  // [offset in rewritten text where a `$n` ends, extra characters it added]
  const growth: [number, number][] = [];
  while (i < sql.length) {
    const ch = sql[i]!;
    const end = skippedTextEnd(sql, i, dialect);
    if (end !== undefined) {
      // quoted text and comments are copied through untouched
      out += sql.slice(i, end);
      i = end;
    } else if (ch === '?') {
      count++;
      out += `$${count}`;
      growth.push([out.length, String(count).length]);
      i++;
    } else if (isSqlWordChar(sql.charCodeAt(i))) {
      // a whole word, so that a prefix letter (`E'…'`) starts a literal only where a token starts
      let j = i + 1;
      while (j < sql.length && isSqlWordChar(sql.charCodeAt(j))) j++;
      if (ch === '$' && /^\$\d/.test(sql.slice(i, i + 2))) dollarParams = true;
      out += sql.slice(i, j);
      i = j;
    } else {
      out += ch;
      i++;
    }
  }
  if (count > 0 && dollarParams) {
    throw new DynasqlError('DYNASQL_ERR_PARAMETER', 'Use either ? or $n placeholders in one statement, not both');
  }
  const originalOffset = (offset: number) =>
    offset - growth.filter(([end]) => end <= offset).reduce((sum, [, extra]) => sum + extra, 0);
  return { sql: out, count, originalOffset };
}

/** the end of the quoted token or comment at `i`; an unreadable literal runs to the end (string-literals.ts reports it) */
function skippedTextEnd(sql: string, i: number, dialect: QuotingDialect): number | undefined {
  const comment = sql[i] === '-' || sql[i] === '/' ? spanAt(sql, i, '') : undefined;
  if (comment) return comment.end;
  try {
    return quotedTokenAt(sql, i, dialect)?.end;
  } catch (error) {
    if (error instanceof QuotingError) return sql.length;
    throw error;
  }
}
