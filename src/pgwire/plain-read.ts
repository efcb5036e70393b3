/**
 * The one statement shape the adapter routes and describes without the catalog engine: a plain read
 * of one Dynamics table, `SELECT <columns | * | t.*> FROM [schema.]table [[AS] alias] [WHERE …]
 * [ORDER BY …] [LIMIT / OFFSET / FETCH …]`, without parameters or subqueries. Its only relation is
 * that table, so the engine's plan would route it to the translator, and its result columns are the
 * table's columns, typed as the mirror types them (catalog-mirror.ts: `pgTypeOf`), so the catalog
 * answers them. A client that only reads Dynamics tables so never starts the engine (PGlite, a few
 * hundred MB: catalog-engine.ts). Anything else goes to the engine as before.
 *
 * The fields carry no table OID or attribute number (0, as Postgres gives for a computed column):
 * the table's OID exists only inside the engine.
 *
 * Example: `select accountid, a.name as n from emulator.account a where revenue > 10 order by 2`
 * → uuid `accountid`, varchar(160) `n`; `select count(*) from account` → undefined (the engine names
 * and types `count`).
 */
import type { Catalog } from '../index.js';
import type { FieldDescription } from './backend-messages.js';
import { pgTypeOf, typeSize } from './pg-types.js';
import { tokenize, type Token } from './sql-text.js';

/** Each mirror table's columns as result fields, by the table's exact name (the mirror quotes it). */
export type PlainReadTables = ReadonlyMap<string, readonly FieldDescription[]>;

export function plainReadTables(catalog: Catalog): PlainReadTables {
  return new Map(catalog.tables.map((table) => [
    table.name,
    // the mirror's columns, in its order: navigation properties are not columns there
    table.columns.filter((c) => c.kind !== 'navigation').map((c): FieldDescription => {
      const t = pgTypeOf(c.sqlType);
      return { name: c.name, tableOid: 0, columnNumber: 0, typeOid: t.oid, typeSize: typeSize(t.oid), typeModifier: t.typeModifier, format: 0 };
    }),
  ]));
}

export interface PlainReadContext {
  tables: PlainReadTables;
  /** the org schema (the mirror's tables are there and in `public`) */
  schema: string;
  /** the session has its own search_path: an unqualified name may then mean another relation */
  customSearchPath: boolean;
  /** the session's temporary tables (lower-cased), which an unqualified name reaches first */
  tempNames: ReadonlySet<string>;
}

/** The clauses that may follow the table: none of them can add a relation or change the columns. */
const TRAILING_CLAUSES = new Set(['where', 'order', 'limit', 'offset', 'fetch']);
/** Words that bring in another relation, another result, or a different kind of statement. */
const REFUSED_WORDS = new Set(['select', 'values', 'table', 'with', 'union', 'intersect', 'except', 'join', 'lateral', 'group', 'having', 'window', 'for', 'into']);

const isName = (t: Token | undefined): t is Token => t !== undefined && (t.kind === 'word' || t.kind === 'quotedIdentifier');
const isSymbol = (t: Token | undefined, text: string) => t?.kind === 'symbol' && t.text === text;

/** The result fields of `sql` when it is a plain read (see above); undefined otherwise. */
export function describePlainRead(sql: string, context: PlainReadContext): FieldDescription[] | undefined {
  const tokens = tokenize(sql);
  if (tokens[0]?.kind !== 'word' || tokens[0].value !== 'select') return undefined;
  // the select list: `*`, `q.*`, `[q.]column [AS name]`, comma-separated, up to FROM
  const items: { qualifier?: string; column?: string; alias?: string }[] = [];
  let i = 1;
  for (;;) {
    const item: { qualifier?: string; column?: string; alias?: string } = {};
    if (isName(tokens[i]) && isSymbol(tokens[i + 1], '.')) {
      item.qualifier = tokens[i]!.value;
      i += 2;
    }
    if (isSymbol(tokens[i], '*')) i++;
    else if (isName(tokens[i]) && !(tokens[i]!.kind === 'word' && tokens[i]!.value === 'from')) item.column = tokens[i++]!.value;
    else return undefined;
    if (tokens[i]?.kind === 'word' && tokens[i]!.value === 'as') {
      if (item.column === undefined || !isName(tokens[i + 1])) return undefined;
      item.alias = tokens[i + 1]!.value;
      i += 2;
    }
    items.push(item);
    if (isSymbol(tokens[i], ',')) i++;
    else break;
  }
  if (tokens[i]?.kind !== 'word' || tokens[i]!.value !== 'from') return undefined;
  i++;
  // FROM [schema.]table [[AS] alias]
  let qualifiedBy: string | undefined;
  if (isName(tokens[i]) && isSymbol(tokens[i + 1], '.')) {
    qualifiedBy = tokens[i]!.value;
    i += 2;
  }
  const tableToken = tokens[i++];
  if (!isName(tableToken)) return undefined;
  const columns = context.tables.get(tableToken.value);
  if (!columns) return undefined;
  if (qualifiedBy !== undefined) {
    if (qualifiedBy !== context.schema && qualifiedBy !== 'public') return undefined;
  } else if (context.customSearchPath || context.tempNames.has(tableToken.value.toLowerCase()) || tableToken.value.startsWith('pg_')) {
    // the name may mean a temporary table or a catalog relation: the engine decides
    return undefined;
  }
  let alias: string | undefined;
  if (tokens[i]?.kind === 'word' && tokens[i]!.value === 'as') {
    if (!isName(tokens[i + 1])) return undefined;
    alias = tokens[i + 1]!.value;
    i += 2;
  } else if (isName(tokens[i]) && !(tokens[i]!.kind === 'word' && TRAILING_CLAUSES.has(tokens[i]!.value))) {
    alias = tokens[i++]!.value;
  }
  const rest = tokens.slice(i);
  if (rest.length > 0 && !(rest[0]!.kind === 'word' && TRAILING_CLAUSES.has(rest[0]!.value))) return undefined;
  if (rest.some((t) => t.kind === 'parameter' || (t.kind === 'word' && (REFUSED_WORDS.has(t.value) || t.value.startsWith('pg_'))))) return undefined;

  // a qualifier names the table by its alias when it has one, else by its name
  const reference = alias ?? tableToken.value;
  const fields: FieldDescription[] = [];
  for (const item of items) {
    if (item.qualifier !== undefined && item.qualifier !== reference) return undefined;
    if (item.column === undefined) {
      fields.push(...columns);
      continue;
    }
    const field = columns.find((f) => f.name === item.column);
    if (!field) return undefined;
    fields.push({ ...field, name: item.alias ?? field.name });
  }
  return fields;
}
