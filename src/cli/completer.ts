/**
 * Tab completion for the REPL, from the connection's catalog:
 * - after FROM / JOIN / UPDATE / INTO: table names;   after EXEC / CALL: procedure names;
 * - after `account.` or `a.` (an alias of account in the statement): account's columns;
 * - in clauses that take columns (SELECT, WHERE, ON, BY, HAVING, SET ...): the columns of the
 *   tables the statement names, plus keywords;
 * - at the start of a line: backslash commands, and their arguments (`\d acc` → `\d account`).
 * Keywords are offered in the case the user is typing in (`sel` → `select`, `SEL` → `SELECT`).
 */
import type { Catalog } from '../index.js';
import { OUTPUT_FORMATS } from './format/index.js';
import { META_COMMANDS } from './meta-commands.js';
import { identifierName, isWord, tokenize, type Token } from './sql-tokens.js';

export const KEYWORDS = [
  'SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'LIKE', 'BETWEEN', 'EXISTS', 'AS',
  'DISTINCT', 'TOP', 'ORDER', 'BY', 'GROUP', 'HAVING', 'ASC', 'DESC', 'LIMIT', 'OFFSET', 'FETCH', 'NEXT',
  'ROWS', 'ONLY', 'JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'OUTER', 'CROSS', 'ON', 'UNION', 'ALL', 'CASE',
  'WHEN', 'THEN', 'ELSE', 'END', 'CAST', 'CONVERT', 'COUNT', 'SUM', 'AVG', 'MIN', 'MAX', 'COALESCE', 'ISNULL',
  'INSERT', 'INTO', 'VALUES', 'UPDATE', 'SET', 'DELETE', 'UPSERT', 'EXEC', 'EXECUTE', 'CALL', 'EXPLAIN', 'WITH',
  'OVER', 'PARTITION', 'TRUE', 'FALSE',
];

const TABLE_CONTEXT = ['FROM', 'JOIN', 'UPDATE', 'INTO', 'TABLE'];
/** The catalog's system tables, queryable like any table (they are not in `catalog.tables`). */
export const SYSTEM_TABLES = ['sys_tables', 'sys_tablecolumns', 'sys_keycolumns', 'sys_foreignkeys', 'sys_procedures', 'sys_procedureparameters'];
const PROCEDURE_CONTEXT = ['EXEC', 'EXECUTE', 'CALL'];
const COLUMN_CONTEXT = ['SELECT', 'WHERE', 'ON', 'BY', 'HAVING', 'SET', 'AND', 'OR', 'NOT', 'DISTINCT', 'WHEN', 'THEN', 'ELSE', 'CASE', 'TOP'];
const KEYWORD_SET = new Set(KEYWORDS);

export type Completion = [hits: string[], word: string];

function matching(candidates: Iterable<string>, partial: string): string[] {
  const lower = partial.toLowerCase();
  return [...new Set([...candidates].filter((c) => c.toLowerCase().startsWith(lower)))].sort((a, b) => a.localeCompare(b));
}

function keywordsLike(partial: string): string[] {
  const lowerCase = partial !== '' && partial === partial.toLowerCase();
  return KEYWORDS.map((k) => (lowerCase ? k.toLowerCase() : k));
}

/** Tables the statement names, by name and by alias: `FROM account a JOIN contact` → a, account, contact. */
export function referencedTables(statement: string, catalog: Catalog): Map<string, string> {
  const tokens = tokenize(statement);
  const names = new Map(catalog.tables.flatMap((t) => [[t.name.toLowerCase(), t.name], [t.entitySetName.toLowerCase(), t.name]] as const));
  const refs = new Map<string, string>();
  tokens.forEach((token, i) => {
    if (!isWord(token, ...TABLE_CONTEXT)) return;
    let j = i + 1;
    const parts: Token[] = [];
    while (tokens[j] && (tokens[j]!.kind === 'word' || tokens[j]!.kind === 'quoted')) {
      parts.push(tokens[j]!);
      if (tokens[j + 1]?.text !== '.') break;
      j += 2;
    }
    const last = parts.at(-1);
    if (!last) return;
    const table = names.get(identifierName(last).toLowerCase());
    if (!table) return;
    refs.set(table.toLowerCase(), table);
    let k = j + 1;
    if (isWord(tokens[k], 'AS')) k++;
    const alias = tokens[k];
    if (alias && (alias.kind === 'quoted' || (alias.kind === 'word' && !KEYWORD_SET.has(alias.text.toUpperCase())))) {
      refs.set(identifierName(alias).toLowerCase(), table);
    }
  });
  return refs;
}

function metaCompletion(textBefore: string, catalog: Catalog | undefined): Completion {
  const match = /^\s*(\\\S*)(\s+)?(.*)$/.exec(textBefore)!;
  const [, command = '', space, argument = ''] = match;
  if (!space) return [matching(META_COMMANDS.map((c) => c.name), command), command];
  const word = /\S*$/.exec(argument)![0];
  const tables = catalog?.tables.map((t) => t.name) ?? [];
  switch (command) {
    case '\\d':
    case '\\dt':
    case '\\dt+':
      return [matching(tables, word), word];
    case '\\df':
      return [matching(catalog?.procedures.map((p) => p.name) ?? [], word), word];
    case '\\format':
      return [matching(OUTPUT_FORMATS, word), word];
    case '\\x':
      return [matching(['on', 'off', 'auto'], word), word];
    case '\\timing':
      return [matching(['on', 'off'], word), word];
    default:
      return [[], word];
  }
}

/**
 * Completes the word before the cursor. `textBefore` is the statement so far up to the cursor
 * (earlier lines of a multi-line statement included); `statement` is all of it, so tables named
 * after the cursor (`SELECT na| FROM account`) count too.
 */
export function complete(textBefore: string, statement: string, catalog: Catalog | undefined): Completion {
  const lastLine = textBefore.slice(textBefore.lastIndexOf('\n') + 1);
  if (/^\s*\\/.test(lastLine)) return metaCompletion(lastLine, catalog);

  const word = /[\p{L}\p{N}_$#.[\]"]*$/u.exec(textBefore)![0];
  const tables = catalog?.tables ?? [];
  const byName = new Map(tables.map((t) => [t.name.toLowerCase(), t]));

  const dot = word.lastIndexOf('.');
  if (dot >= 0) {
    const qualifier = word.slice(0, dot);
    const partial = word.slice(dot + 1);
    const bare = qualifier.replace(/^[["]|[\]"]$/g, '').toLowerCase();
    const refs = catalog ? referencedTables(statement, catalog) : new Map<string, string>();
    const table = byName.get(refs.get(bare)?.toLowerCase() ?? bare);
    if (!table) return [[], word];
    return [matching(table.columns.map((c) => c.name), partial).map((c) => `${qualifier}.${c}`), word];
  }

  const before = tokenize(textBefore.slice(0, textBefore.length - word.length));
  const previous = before.at(-1);
  let context: 'tables' | 'procedures' | 'columns' | 'keywords' = 'keywords';
  for (let i = before.length - 1; i >= 0; i--) {
    const t = before[i]!;
    if (isWord(t, ...TABLE_CONTEXT)) {
      // `FROM account |` wants WHERE / JOIN, not another table; `FROM account, |` wants a table
      context = t === previous || previous?.text === ',' ? 'tables' : 'keywords';
      break;
    }
    if (isWord(t, ...PROCEDURE_CONTEXT)) {
      context = t === previous ? 'procedures' : 'keywords';
      break;
    }
    if (isWord(t, ...COLUMN_CONTEXT) || (t.text === '(' && t === previous)) {
      context = 'columns';
      break;
    }
  }

  const keywords = keywordsLike(word);
  switch (context) {
    case 'tables':
      return [matching([...tables.map((t) => t.name), ...SYSTEM_TABLES], word), word];
    case 'procedures':
      return [matching(catalog?.procedures.map((p) => p.name) ?? [], word), word];
    case 'columns': {
      const refs = catalog ? referencedTables(statement, catalog) : new Map<string, string>();
      const columns = [...new Set(refs.values())].flatMap((name) => byName.get(name.toLowerCase())?.columns.map((c) => c.name) ?? []);
      return [matching([...columns, ...keywords], word), word];
    }
    case 'keywords':
      return [matching(word === '' ? [] : keywords, word), word];
  }
}
