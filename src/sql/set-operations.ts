/**
 * EXCEPT and INTERSECT in T-SQL: node-sql-parser's T-SQL grammar knows only UNION, and read
 * `SELECT name FROM account EXCEPT SELECT …` as a table aliased EXCEPT. When the statement has one at
 * its top level, the text is cut at every top-level set operator and each part is parsed alone; the
 * normaliser joins them (Normalizer.setOperations). Each part is the whole text with everything
 * else blanked, so error positions stay those of the user's text.
 *   splitSetOperations('SELECT a FROM t EXCEPT SELECT a FROM u', 'tsql')
 *     → { parts: ['SELECT a FROM t                       ', '                       SELECT a FROM u'], ops: ['EXCEPT'] }
 * Set operators inside parentheses (a derived table, a subquery, a CTE body) are not cut here:
 * extractSetOperationGroups takes those groups out first.
 */
import type { SetOperator } from './ast.js';
import { sqlTokens, type QuotingDialect } from './quoting.js';
import { applyEdits } from './text-edits.js';
import { DynasqlError } from '../errors/index.js';

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

/** a parenthesised T-SQL set operation taken out of the text for parsing alone (see extractSetOperationGroups) */
export interface SetOperationGroups {
  /** the text with each group's contents replaced by `SELECT * FROM <placeholder>` */
  sql: string;
  /** an offset in `sql` → the offset in the text given */
  originalOffset(offset: number): number;
  /** placeholder name (upper case) → the group's text: the text given with everything outside the group blanked */
  groups: Map<string, string>;
}

/** the name a placeholder table starts with; a statement that holds it is refused */
export const SET_OPERATION_PLACEHOLDER = '__DYNASQL_SETOP_';

/**
 * EXCEPT / INTERSECT inside parentheses (a derived table, a subquery, a CTE body): the parser would
 * read them as aliases there too. Each outermost such group's contents are replaced by
 * `SELECT * FROM __DYNASQL_SETOP_<n>`, a query the parser reads in any place a query goes, and the
 * contents are parsed on their own (they may hold groups of their own); the normaliser puts the
 * group's query where its placeholder stands (Normalizer with `groups`).
 *   extractSetOperationGroups('SELECT c FROM (SELECT a FROM t EXCEPT SELECT a FROM u) x', 'tsql', 1)
 *     → sql 'SELECT c FROM (SELECT * FROM __DYNASQL_SETOP_1) x',
 *       groups {__DYNASQL_SETOP_1 → '               SELECT a FROM t EXCEPT SELECT a FROM u   '}
 * `nextNumber` numbers the placeholders, so groups found in groups get names of their own.
 */
export function extractSetOperationGroups(sql: string, dialect: QuotingDialect, nextNumber: () => number): SetOperationGroups | undefined {
  if (dialect !== 'tsql' || !/\b(?:EXCEPT|INTERSECT)\b/i.test(sql)) return undefined;
  if (sql.toUpperCase().includes(SET_OPERATION_PLACEHOLDER)) {
    throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Names starting with ${SET_OPERATION_PLACEHOLDER} are reserved by dynasql`);
  }
  const tokens = sqlTokens(sql, dialect);
  // one entry per open bracket: where it is and whether a set operator stands directly inside it
  const open: { index: number; setOperation: boolean }[] = [];
  const found: { from: number; to: number }[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.quoted) continue;
    const word = t.text.toUpperCase();
    if (t.text === '(') open.push({ index: k, setOperation: false });
    else if (t.text === ')') {
      const group = open.pop();
      if (!group || !group.setOperation) continue;
      const first = tokens[group.index + 1];
      if (first && !first.quoted && /^(?:SELECT|WITH|\()$/i.test(first.text)) found.push({ from: group.index + 1, to: k - 1 });
    } else if ((word === 'EXCEPT' || word === 'INTERSECT') && open.length > 0) {
      open[open.length - 1]!.setOperation = true;
    }
  }
  // the outermost groups: one inside another is parsed with its host's text
  const outermost = found.filter((g) => !found.some((h) => h !== g && h.from <= g.from && g.to <= h.to));
  if (outermost.length === 0) return undefined;
  outermost.sort((a, b) => a.from - b.from);
  const blank = (text: string) => text.replace(/[^\n]/g, ' ');
  const groups = new Map<string, string>();
  const edits = outermost.map((g) => {
    const [start, end] = [tokens[g.from]!.start, tokens[g.to]!.end];
    const name = `${SET_OPERATION_PLACEHOLDER}${nextNumber()}`;
    groups.set(name, blank(sql.slice(0, start)) + sql.slice(start, end) + blank(sql.slice(end)));
    return { start, end, text: `SELECT * FROM ${name}` };
  });
  const edited = applyEdits(sql, edits);
  return { sql: edited.sql, originalOffset: edited.originalOffset, groups };
}
