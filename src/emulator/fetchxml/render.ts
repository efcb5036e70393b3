import { ASSOCIATED_NAV, type Formatter, writeColumn } from '../http/format.js';
import { wantsAnnotation } from '../http/prefer.js';
import { etagOf } from '../http/render.js';
import { responseValue } from '../http/exact-decimals.js';
import type { EntityTypeDef } from '../metadata/model.js';
import type { Row } from '../store/row.js';
import { type BoundEntity, type BoundFetch, type Column, columnOf, logicalNameOf, type Tuple } from './bind.js';

const ATTRIBUTE_NAME = 'OData.Community.Display.V1.AttributeName';

/** One output column: where its value comes from and the JSON property it is written as. */
export interface OutputColumn {
  from: BoundEntity;
  column: Column;
  /** The property name: the column's own (`_x_value` for a root lookup), the alias, or `link_x002e_column`. */
  outputName: string;
  /** Aliased and linked columns carry their logical name in an AttributeName annotation. */
  renamed: boolean;
}

/**
 * The columns a non-aggregate query returns (FetchXML doc §1.6): the root's attributes (all of them
 * with `<all-attributes/>` or none listed) and its key unless `distinct`; then every inner/outer
 * link's attributes, named `alias_x002e_column` (the dot of `alias.column` escaped as the Web API
 * does) or by their own alias. A linked lookup keeps its logical name, not `_x_value`.
 */
export function outputColumns(bound: BoundFetch): OutputColumn[] {
  const out: OutputColumn[] = [];
  const root = bound.root;
  const rootKey = root.entity.key[0]!;
  for (const c of columnsOf(root)) {
    if (c.column.property.name === rootKey && !c.alias) continue;
    out.push(c.alias ? { from: root, column: c.column, outputName: c.alias, renamed: true } : { from: root, column: c.column, outputName: c.column.property.name, renamed: false });
  }
  if (!bound.query.distinct) out.push({ from: root, column: columnOf(root.entity, rootKey), outputName: rootKey, renamed: false });
  for (const link of bound.joined) {
    for (const c of columnsOf(link)) {
      out.push({ from: link, column: c.column, outputName: c.alias ?? `${link.alias}_x002e_${c.column.logicalName}`, renamed: true });
    }
  }
  return out;
}

function columnsOf(bound: BoundEntity): { column: Column; alias?: string }[] {
  const node = bound.node;
  const isRoot = bound.alias === '';
  // A link with no attributes returns none; the root then returns every column (FetchXML doc §1.1).
  if (node.allAttributes || (isRoot && node.attributes.length === 0)) {
    return [...bound.entity.properties.keys()].map((name) => ({ column: columnOf(bound.entity, logicalNameOf(bound.entity, name)) }));
  }
  return node.attributes.map((a) => ({ column: columnOf(bound.entity, a.name), alias: a.alias }));
}

/** One result row: `@odata.etag` of the root row, then the columns with their annotations; nulls omitted. */
export function renderTuple(formatter: Formatter, columns: OutputColumn[], t: Tuple, withEtag: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const root = t[''];
  if (withEtag && root) out['@odata.etag'] = etagOf(root);
  for (const c of columns) {
    const row = t[c.from.alias];
    if (row) writeRenamed(formatter, c, row, out);
  }
  return out;
}

function writeRenamed(formatter: Formatter, c: OutputColumn, row: Row, out: Record<string, unknown>) {
  const value = row.values[c.column.property.name];
  if (value === null || value === undefined) return;
  if (!c.renamed) {
    writeColumn(formatter, c.from.entity, row, c.column.property, out);
    return;
  }
  writeRenamedAnnotations(formatter, c.from.entity, row, c.column, c.outputName, out);
  out[c.outputName] = responseValue(row, c.column.property.name, value);
}

/**
 * The annotations of a column written under another name (an alias, `link_x002e_column`, an
 * aggregate's group alias): AttributeName, then FormattedValue and lookuplogicalname as OData
 * writes them; the navigation-property annotation belongs to the root's `_x_value` form only.
 */
export function writeRenamedAnnotations(formatter: Formatter, entity: EntityTypeDef, row: Row, column: Column, outputName: string, out: Record<string, unknown>) {
  const own: Record<string, unknown> = {};
  writeColumn(formatter, entity, row, column.property, own);
  const name = column.property.name;
  if (wantsAnnotation(formatter.prefs, ATTRIBUTE_NAME)) out[`${outputName}@${ATTRIBUTE_NAME}`] = column.logicalName;
  for (const [key, value] of Object.entries(own)) {
    if (key === name || key === `${name}@${ASSOCIATED_NAV}`) continue;
    out[`${outputName}${key.slice(name.length)}`] = value;
  }
}
