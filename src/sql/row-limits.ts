/**
 * The row-limit clauses (LIMIT / OFFSET / FETCH) rewritten, before parsing, into the one form
 * node-sql-parser reads correctly in each dialect:
 * - PostgreSQL: its parser drops a LIMIT written after OFFSET (`OFFSET 98 LIMIT 5` came back as
 *   `OFFSET 98`) and has no FETCH, so every clause is written `LIMIT n OFFSET m`:
 *   `OFFSET 5 ROWS FETCH NEXT 3 ROWS ONLY` → `LIMIT 3 OFFSET 5`, `OFFSET 98 LIMIT 5` → `LIMIT 5 OFFSET 98`.
 * - T-SQL: its parser wants `FETCH NEXT … ROWS ONLY` after every OFFSET, so `OFFSET 5 ROWS` alone
 *   gets `FETCH NEXT 9223372036854775807 ROWS ONLY` (more rows than any table has: no limit, and the
 *   normaliser reads it as none), and `FETCH FIRST 1 ROW ONLY` is written `FETCH NEXT 1 ROWS ONLY`.
 * `FETCH … WITH TIES` is refused. The text runs after string-literals.ts, so no quote is left to
 * mislead the token scan; a clause this reader does not recognise is left to the parser.
 */
import { DynasqlError } from '../errors/index.js';
import { sqlTokens, type QuotingDialect } from './quoting.js';
import { applyEdits, type TextEdit } from './text-edits.js';

/** `FETCH NEXT` this many rows stands for "no FETCH" in T-SQL (the largest bigint) */
export const NO_FETCH_LIMIT = '9223372036854775807';

export interface RowLimitRewrite {
  sql: string;
  originalOffset(offset: number): number;
}

interface Token { text: string; word: string; start: number; end: number }

export function rewriteRowLimits(sql: string, dialect: QuotingDialect): RowLimitRewrite {
  if (!/\b(?:OFFSET|FETCH)\b|::/i.test(sql)) return { sql, originalOffset: (offset) => offset };
  const tokens = tokenize(sql, dialect);
  const edits: TextEdit[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const word = tokens[k]!.word;
    if ((word !== 'OFFSET' && word !== 'FETCH' && word !== 'LIMIT') || tokens[k - 1]?.text === '.') continue;
    const clause = readClause(tokens, k);
    if (!clause) continue;
    if (clause.offset || clause.fetch || clause.castDropped) {
      const text = dialect === 'postgresql' ? postgresText(clause) : tsqlText(clause);
      if (text !== undefined) edits.push({ start: tokens[k]!.start, end: tokens[clause.next - 1]!.end, text });
    }
    k = clause.next - 1;
  }
  return applyEdits(sql, edits);
}

interface Clause {
  limit?: string;
  offset?: string;
  /** the FETCH count; '1' when FETCH FIRST ROW ONLY names none */
  fetch?: string;
  /** the index of the first token after the clause */
  next: number;
  /** a count was written with an integer cast (`LIMIT $2::INTEGER`, SQLAlchemy), dropped here */
  castDropped?: boolean;
}

function readClause(tokens: Token[], from: number): Clause | undefined {
  const clause: Clause = { next: from };
  let k = from;
  for (;;) {
    const word = tokens[k]?.word;
    if (word === 'LIMIT' && clause.limit === undefined) {
      const v = readValue(tokens, k + 1, true);
      if (!v) return undefined;
      clause.limit = v.text;
      k = v.next;
      if (v.castDropped) clause.castDropped = true;
    } else if (word === 'OFFSET' && clause.offset === undefined) {
      const v = readValue(tokens, k + 1, false);
      if (!v) return undefined;
      clause.offset = v.text;
      k = v.next;
      if (v.castDropped) clause.castDropped = true;
      if (tokens[k]?.word === 'ROW' || tokens[k]?.word === 'ROWS') k++;
    } else if (word === 'FETCH' && clause.fetch === undefined) {
      if (tokens[k + 1]?.word !== 'FIRST' && tokens[k + 1]?.word !== 'NEXT') return undefined;
      k += 2;
      const v = tokens[k]?.word === 'ROW' || tokens[k]?.word === 'ROWS' ? { text: '1', next: k } : readValue(tokens, k, false);
      if (!v) return undefined;
      k = v.next;
      if (tokens[k]?.word !== 'ROW' && tokens[k]?.word !== 'ROWS') return undefined;
      k++;
      if (tokens[k]?.word === 'WITH' && tokens[k + 1]?.word === 'TIES') {
        throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', 'Unsupported SQL: FETCH … WITH TIES; keep the ties with RANK() OVER (ORDER BY …) <= n in a derived table');
      }
      if (tokens[k]?.word !== 'ONLY') return undefined;
      k++;
      clause.fetch = v.text;
    } else {
      break;
    }
  }
  if (clause.limit !== undefined && clause.fetch !== undefined) {
    throw new DynasqlError('DYNASQL_ERR_SYNTAX', 'LIMIT and FETCH cannot both be given');
  }
  clause.next = k;
  return k > from ? clause : undefined;
}

const INTEGER_TYPES = new Set(['INT', 'INTEGER', 'INT2', 'INT4', 'INT8', 'SMALLINT', 'BIGINT']);

/** a number, a parameter (with an integer cast, which changes nothing), `ALL` (after LIMIT) or a parenthesised expression */
function readValue(tokens: Token[], k: number, allowAll: boolean): { text: string; next: number; castDropped?: boolean } | undefined {
  const t = tokens[k];
  if (!t) return undefined;
  if (t.word === 'ALL') return allowAll ? { text: 'ALL', next: k + 1 } : undefined;
  if (/^(?:\d+|\$\d+|@\w+)$/.test(t.text)) {
    const cast = tokens[k + 1]?.text === ':' && tokens[k + 2]?.text === ':' && INTEGER_TYPES.has(tokens[k + 3]?.text.toUpperCase() ?? '');
    return cast ? { text: t.text, next: k + 4, castDropped: true } : { text: t.text, next: k + 1 };
  }
  if (t.text === '(') {
    let depth = 0;
    for (let j = k; j < tokens.length; j++) {
      if (tokens[j]!.text === '(') depth++;
      else if (tokens[j]!.text === ')' && --depth === 0) return { text: tokens.slice(k, j + 1).map((x) => x.text).join(' '), next: j + 1 };
    }
  }
  return undefined;
}

function postgresText(clause: Clause): string {
  const limit = clause.fetch ?? clause.limit;
  const parts: string[] = [];
  if (limit !== undefined) parts.push(`LIMIT ${limit}`);
  if (clause.offset !== undefined) parts.push(`OFFSET ${clause.offset}`);
  return parts.join(' ');
}

/** T-SQL has no LIMIT (left for the parser to refuse); FETCH needs an OFFSET (likewise) */
function tsqlText(clause: Clause): string | undefined {
  if (clause.limit !== undefined || clause.offset === undefined) return undefined;
  return `OFFSET ${clause.offset} ROWS FETCH NEXT ${clause.fetch ?? NO_FETCH_LIMIT} ROWS ONLY`;
}

/** the text's tokens with words upper-cased in `word` (quoted tokens have none, so no keyword matches one) */
function tokenize(sql: string, dialect: QuotingDialect): Token[] {
  return sqlTokens(sql, dialect).map((t) => ({ ...t, word: !t.quoted && /^[A-Za-z]+$/.test(t.text) ? t.text.toUpperCase() : '' }));
}
