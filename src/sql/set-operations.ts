/**
 * EXCEPT and INTERSECT in T-SQL: node-sql-parser's T-SQL grammar knows only UNION, and read
 * `SELECT name FROM account EXCEPT SELECT …` as a table aliased EXCEPT. When the statement has one at
 * its top level, the text is cut at every top-level set operator and each part is parsed alone; the
 * normaliser joins them (Normalizer.setOperations). Each part is the whole text with everything
 * else blanked, so error positions stay those of the user's text.
 *   splitSetOperations('SELECT a FROM t EXCEPT SELECT a FROM u', 'tsql')
 *     → { parts: ['SELECT a FROM t                       ', '                       SELECT a FROM u'], ops: ['EXCEPT'] }
 * Set operators inside parentheses (a derived table, a subquery) are not cut: there they stay a
 * syntax error in T-SQL.
 */
import type { SetOperator } from './ast.js';
import { sqlTokens, type QuotingDialect } from './quoting.js';

export interface SetOperationSplit {
  parts: string[];
  ops: SetOperator[];
}

export function splitSetOperations(sql: string, dialect: QuotingDialect): SetOperationSplit | undefined {
  if (dialect !== 'tsql' || !/\b(?:EXCEPT|INTERSECT)\b/i.test(sql)) return undefined;
  const tokens = sqlTokens(sql, dialect);
  const cuts: { start: number; end: number; op: SetOperator }[] = [];
  let depth = 0;
  let sawExceptOrIntersect = false;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.quoted) continue;
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    if (depth !== 0) continue;
    const word = t.text.toUpperCase();
    if (word === 'EXCEPT' || word === 'INTERSECT') {
      sawExceptOrIntersect = true;
      cuts.push({ start: t.start, end: t.end, op: word });
    } else if (word === 'UNION') {
      const all = tokens[k + 1]?.text.toUpperCase() === 'ALL' ? tokens[k + 1]! : undefined;
      cuts.push({ start: t.start, end: (all ?? t).end, op: all ? 'UNION ALL' : 'UNION' });
      if (all) k++;
    }
  }
  if (!sawExceptOrIntersect) return undefined;
  const blank = (text: string) => text.replace(/[^\n]/g, ' ');
  const bounds = [0, ...cuts.flatMap((c) => [c.start, c.end]), sql.length];
  const parts: string[] = [];
  for (let p = 0; p < bounds.length; p += 2) {
    const [from, to] = [bounds[p]!, bounds[p + 1]!];
    parts.push(blank(sql.slice(0, from)) + sql.slice(from, to) + blank(sql.slice(to)));
  }
  return { parts, ops: cuts.map((c) => c.op) };
}
