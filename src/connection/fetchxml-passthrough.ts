/**
 * `SELECT … FROM fetchxml('<fetch …>')`: a user's own FetchXML sent as it is written (`GET
 * <entityset>?fetchXml=…`, every page followed with its paging cookie), its rows a local table the
 * rest of the statement reads. The columns are typed from metadata: each `<attribute>` of the entity
 * by its column (named by its alias, or its name), each linked one as `alias.name`, the entity's key
 * on plain reads, aggregates by what they compute (`count` an int, `sum`/`min`/`max` the column's
 * type, `avg` a float), date groups as ints. `<all-attributes/>` (or none listed) is every column.
 *
 * `SELECT * FROM fetchxml('<fetch><entity name="account"><attribute name="name"/></entity></fetch>')`
 * → columns `name`, `accountid`.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Column, SqlType, Table } from '../catalog/types.js';
import { DynasqlError } from '../errors/index.js';
import { element, fetchXmlUrl, parseFetchPage, withAttributes, type XmlElement } from '../fetchxml/index.js';
import { decoderFor, FORMATTED_VALUE, type DecodedValue } from '../odata/index.js';
import type { StatementContext } from './statement.js';

const INT: SqlType = { name: 'int' };
const FLOAT: SqlType = { name: 'float' };
const MAX_PAGES = 10_000;

interface OutputColumn { name: string; key: string; column: Column }

export interface FetchXmlTable {
  columns: { name: string; edmType: string; sqlType: SqlType }[];
  rows: Record<string, DecodedValue>[];
  /** the EXPLAIN line */
  request: string;
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', preserveOrder: true, parseAttributeValue: false, parseTagValue: false });

/** the parsed text as an element tree (fast-xml-parser's ordered form) */
function toElement(node: Record<string, unknown>): XmlElement | undefined {
  const name = Object.keys(node).find((k) => k !== ':@');
  if (!name || name === '#text') return undefined;
  const attributes = (node[':@'] ?? {}) as Record<string, string>;
  const inner = (node[name] ?? []) as Record<string, unknown>[];
  const text = inner.find((c) => '#text' in c)?.['#text'];
  const children = inner.map(toElement).filter((e): e is XmlElement => e !== undefined);
  return element(name, { ...attributes }, children, children.length === 0 && text !== undefined ? String(text) : undefined);
}

export function parseUserFetch(text: unknown): XmlElement {
  if (typeof text !== 'string') throw new DynasqlError('DYNASQL_ERR_TYPE', 'fetchxml() takes the FetchXML as one string');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new DynasqlError('DYNASQL_ERR_SYNTAX', `fetchxml(): the FetchXML is not well-formed: ${valid.err.msg} (line ${valid.err.line})`);
  const root = (parser.parse(text) as Record<string, unknown>[]).map(toElement).find((e) => e !== undefined);
  if (root?.name !== 'fetch' || root.children.filter((c) => c.name === 'entity').length !== 1) {
    throw new DynasqlError('DYNASQL_ERR_SYNTAX', 'fetchxml(): the FetchXML must be one <fetch> holding one <entity>');
  }
  return root;
}

function tableNamed(ctx: StatementContext, name: string | undefined): Table {
  const table = ctx.catalog.tables.find((t) => t.name === name);
  if (!table) throw new DynasqlError('DYNASQL_ERR_UNKNOWN_TABLE', `fetchxml(): no table '${name ?? ''}'`);
  return table;
}

function columnNamed(table: Table, name: string): Column {
  const column = table.columns.find((c) => (c.kind === 'data' || c.kind === 'lookup') && c.name === name);
  if (!column) throw new DynasqlError('DYNASQL_ERR_UNKNOWN_COLUMN', `fetchxml(): ${table.name} has no column '${name}'`);
  return column;
}

/** the columns a `<fetch>` returns, each with the property it is read from */
function outputColumns(ctx: StatementContext, fetch: XmlElement): OutputColumn[] {
  const aggregate = fetch.attributes.aggregate === 'true';
  const out: OutputColumn[] = [];
  const visit = (entity: XmlElement, table: Table, prefix: string | undefined) => {
    const attributes = entity.children.filter((c) => c.name === 'attribute');
    const all = entity.children.some((c) => c.name === 'all-attributes') || (prefix === undefined && attributes.length === 0);
    const listed = all ? table.columns.filter((c) => c.kind === 'data' || c.kind === 'lookup').map((c) => element('attribute', { name: c.name })) : attributes;
    for (const a of listed) {
      const column = columnNamed(table, a.attributes.name ?? '');
      const alias = a.attributes.alias;
      const key = alias ?? (prefix !== undefined ? `${prefix}_x002e_${column.name}` : column.odataName);
      const name = alias ?? (prefix !== undefined ? `${prefix}.${column.name}` : column.name);
      const how = a.attributes.aggregate;
      const sqlType = how === 'count' || how === 'countcolumn' || a.attributes.dategrouping ? INT : how === 'avg' ? FLOAT : column.sqlType;
      const edmType = sqlType === INT ? 'Edm.Int32' : sqlType === FLOAT ? 'Edm.Double' : alias || prefix !== undefined ? (column.kind === 'lookup' ? 'Edm.Guid' : column.edmType) : column.edmType;
      out.push({ name, key, column: { ...column, name, odataName: key, kind: alias || prefix !== undefined ? 'data' : column.kind, edmType, sqlType } });
    }
    for (const link of entity.children.filter((c) => c.name === 'link-entity' && !['exists', 'in', 'any', 'not any', 'all', 'not all'].includes(c.attributes['link-type'] ?? 'inner'))) {
      visit(link, tableNamed(ctx, link.attributes.name), link.attributes.alias ?? link.attributes.name);
    }
  };
  const entity = fetch.children.find((c) => c.name === 'entity')!;
  const table = tableNamed(ctx, entity.attributes.name);
  visit(entity, table, undefined);
  // a plain read returns the key of each row, listed or not (FetchXML doc §1.6)
  const key = table.columns.find((c) => c.isPrimaryKey);
  if (!aggregate && fetch.attributes.distinct !== 'true' && key && !out.some((o) => o.key === key.odataName)) out.push({ name: key.name, key: key.odataName, column: key });
  const seen = new Set<string>();
  for (const o of out) {
    if (seen.has(o.name.toLowerCase())) throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `fetchxml(): two columns are named '${o.name}'; give one an alias`);
    seen.add(o.name.toLowerCase());
  }
  return out;
}

export async function fetchXmlTable(ctx: StatementContext, text: unknown, signal: AbortSignal | undefined, dryRun: boolean): Promise<FetchXmlTable> {
  const userFetch = parseUserFetch(text);
  const entitySet = tableNamed(ctx, userFetch.children.find((c) => c.name === 'entity')!.attributes.name).entitySetName;
  const columns = outputColumns(ctx, userFetch);
  // a read without top or paging of its own is paged here, 5,000 rows a page, by cookie
  const paged = userFetch.attributes.top === undefined && userFetch.attributes.count === undefined && userFetch.attributes.aggregate !== 'true';
  const fetch = paged ? withAttributes(userFetch, { count: '5000' }) : userFetch;
  const url = fetchXmlUrl(entitySet, fetch);
  const result: FetchXmlTable = { columns: columns.map((c) => ({ name: c.name, edmType: c.column.edmType, sqlType: c.column.sqlType })), rows: [], request: `GET ${ctx.executor.serviceRoot}${url}` };
  if (dryRun) return result;
  const headers = { Prefer: `odata.include-annotations="Microsoft.Dynamics.CRM.*,${FORMATTED_VALUE}"` };
  const decoders = columns.map((c) => decoderFor(c.column));
  let next: string | undefined = url;
  for (let page = 0; next !== undefined && page < MAX_PAGES; page++) {
    const response = await ctx.executor.send({ method: 'GET', url: next, headers, signal });
    const parsed = parseFetchPage(response.text(), columns.map((c) => c.key), { entitySet, fetch }, page);
    for (const raw of parsed.rows) {
      const row: Record<string, DecodedValue> = {};
      columns.forEach((c, i) => { row[c.name] = decoders[i]!(raw[c.key]); });
      result.rows.push(row);
    }
    next = paged ? parsed.nextLink : undefined;
  }
  return result;
}
