/**
 * A record named in SQL text, re-written safely for a URL or a reference: the caller's text is parsed
 * and every key value goes back out through `odataLiteral`, so nothing of it is spliced raw.
 *
 * - `'accounts(8c4e…)'` or `'account(8c4e…)'` → entity set `accounts`, key `8c4e…`;
 * - `'8c4e…'` with a known table → that table's primary key;
 * - F&O compound keys: `'CustomersV3(dataAreaId=''usmf'',CustomerAccount=''US-001'')'`.
 */
import type { CatalogIndex } from '../catalog/index.js';
import type { Table } from '../catalog/types.js';
import { odataLiteral, type JsonValue } from '../odata/index.js';
import { parameterError } from './convert-value.js';

export interface RecordPath {
  table: Table;
  /** `accounts(8c4e…)`: entity set and canonical key */
  path: string;
}

const SET_AND_KEY = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(([\s\S]*)\)\s*$/;
const GUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;

export function looksLikeRecordPath(text: string): boolean {
  return SET_AND_KEY.test(text);
}

/** `table` is the table the key belongs to when the text is a bare key */
export function recordPath(index: CatalogIndex, parameter: string, text: string, table?: Table): RecordPath {
  const match = SET_AND_KEY.exec(text);
  let keyText = text.trim();
  if (match) {
    const named = index.table(match[1]!);
    if (!named) throw parameterError(parameter, `unknown table '${match[1]}' in ${JSON.stringify(text)}`);
    table = named;
    keyText = match[2]!.trim();
  }
  if (!table) throw parameterError(parameter, `give the record with its table, e.g. 'accounts(<id>)' (got '${text}')`);
  return { table, path: `${table.entitySetName}(${keySegment(index, parameter, table, keyText)})` };
}

function keySegment(index: CatalogIndex, parameter: string, table: Table, keyText: string): string {
  const pairs = splitPairs(parameter, keyText);
  if (!pairs) {
    if (table.primaryKey.length !== 1) throw parameterError(parameter, `table '${table.name}' has a compound key; name each part (${table.primaryKey.join(', ')})`);
    return literalFor(index, parameter, table, table.primaryKey[0]!, unquote(keyText));
  }
  return pairs.map(([name, value]) => {
    const column = index.column(table, name);
    if (!column) throw parameterError(parameter, `table '${table.name}' has no key column '${name}'`);
    return `${column.odataName}=${literalFor(index, parameter, table, column.name, unquote(value))}`;
  }).join(',');
}

function literalFor(index: CatalogIndex, parameter: string, table: Table, columnName: string, value: string): string {
  const column = index.column(table, columnName);
  const edmType = column?.edmType ?? 'Edm.String';
  try {
    return odataLiteral(value, { edmType: edmType.startsWith('Edm.') ? edmType : 'Edm.String', ...(column?.enumType ? { enumType: column.enumType } : {}) });
  } catch (error) {
    throw parameterError(parameter, `'${value}' is not a valid key of ${table.name}`, error);
  }
}

function unquote(text: string): string {
  const t = text.trim();
  return t.length >= 2 && t.startsWith("'") && t.endsWith("'") ? t.slice(1, -1).replace(/''/g, "'") : t;
}

/** `a='x,y',b=2` → [['a',"'x,y'"],['b','2']]; undefined when the text is a single bare value */
function splitPairs(parameter: string, text: string): [string, string][] | undefined {
  const pairs: [string, string][] = [];
  let i = 0;
  while (i < text.length) {
    const name = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*/.exec(text.slice(i));
    if (!name) {
      if (pairs.length === 0) return undefined;
      throw parameterError(parameter, `cannot read the key '${text}' (expected name=value, …)`);
    }
    i += name[0].length;
    let value = '';
    if (text[i] === "'") {
      let j = i + 1;
      while (j < text.length) {
        if (text[j] === "'" && text[j + 1] === "'") j += 2;
        else if (text[j] === "'") break;
        else j++;
      }
      value = text.slice(i, j + 1);
      i = j + 1;
    } else {
      const end = text.indexOf(',', i);
      value = text.slice(i, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
    }
    pairs.push([name[1]!, value]);
    const comma = /^\s*,?\s*/.exec(text.slice(i))!;
    i += comma[0].length;
  }
  return pairs.length > 0 ? pairs : undefined;
}

/**
 * An entity-typed parameter given as text: a record path, or a GUID of the declared table. In an
 * action body the reference is typed (`{"@odata.type":"Microsoft.Dynamics.CRM.letter","activityid":"…"}`,
 * the documented form, which also settles `crmbaseentity`); in a function alias it is
 * `{"@odata.id":"letters(…)"}` (protocol §7). Compound keys always use `@odata.id`.
 */
export function entityReference(index: CatalogIndex, parameter: string, edmType: string, declared: Table | undefined, text: string, style: 'body' | 'alias'): JsonValue {
  let table = declared;
  let path: string | undefined;
  if (looksLikeRecordPath(text)) {
    const record = recordPath(index, parameter, text);
    table = record.table;
    path = record.path;
  } else if (!GUID.test(text.trim())) {
    throw parameterError(parameter, `expected ${edmType} as JSON, a record such as 'accounts(<id>)', or an id, got '${text}'`);
  } else if (!declared) {
    throw parameterError(parameter, `${edmType} may be any table: give the record with its table, e.g. 'accounts(<id>)'`);
  }
  const key = table!.primaryKey.length === 1 ? table!.columns.find((c) => c.name === table!.primaryKey[0]) : undefined;
  if (style === 'alias' || !key || key.edmType !== 'Edm.Guid') return { '@odata.id': path ?? recordPath(index, parameter, text, table).path };
  const id = path ? /\(([^)]*)\)$/.exec(path)![1]! : odataLiteral(text.trim(), { edmType: 'Edm.Guid' });
  return { '@odata.type': table!.entityType, [key.odataName]: id };
}
