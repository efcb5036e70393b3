/**
 * A table as an agent reads it best: a T-SQL `CREATE TABLE` with a comment on every column that is
 * more than its type (key, lookup and its target, choice and its labels, read-only), the keys as
 * constraints, then one line per relationship. Built from the catalog the connection loaded, the
 * same data `\d` and `sys_tablecolumns` show.
 *
 *   CREATE TABLE contact (
 *     contactid uniqueidentifier NOT NULL, -- primary key
 *     parentcustomerid uniqueidentifier NULL, -- lookup to account or contact (polymorphic): its row's name in parentcustomeridname, its table in parentcustomeridtype
 *     parentcustomeridname nvarchar(max) NULL, -- read-only: the name of parentcustomerid's row
 *     gendercode int NULL, -- choice: 1 = Male, 2 = Female; its label in gendercodename
 *     …
 *     CONSTRAINT PK_contact PRIMARY KEY (contactid)
 *   );
 *   -- many-to-one: contact.parentcustomerid → account.accountid (navigation parentcustomerid_account)
 *
 * Columns come key first, then by name, each virtual column right after the column it describes.
 */
import { formatSqlType } from '../catalog/index.js';
import type { ChoiceLabel, Column, Relationship, Table } from '../index.js';

/** each choice column's options by column name (conn.choiceOptions) */
export type ChoiceLabels = ReadonlyMap<string, readonly ChoiceLabel[]>;

/** `[order]`-style quoting only where a name is not a plain identifier */
export function sqlName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `[${name.replace(/]/g, ']]')}]`;
}

function orderedColumns(table: Table): Column[] {
  const virtualOf = new Map<string, Column[]>();
  for (const column of table.columns) {
    if (column.sourceColumn === undefined) continue;
    const list = virtualOf.get(column.sourceColumn) ?? [];
    list.push(column);
    virtualOf.set(column.sourceColumn, list);
  }
  const own = table.columns.filter((c) => c.sourceColumn === undefined || !table.columns.some((s) => s.name === c.sourceColumn));
  // key columns in the key's order (`dataAreaId, CustomerAccount`), then the rest by name
  const keyIndex = (c: Column) => (table.primaryKey.includes(c.name) ? table.primaryKey.indexOf(c.name) : table.primaryKey.length);
  own.sort((a, b) => keyIndex(a) - keyIndex(b) || a.name.localeCompare(b.name));
  return own.flatMap((c) => [c, ...(virtualOf.get(c.name) ?? [])]);
}

function targetsText(column: Column): string | undefined {
  const targets = [...new Set((column.lookupTargets ?? []).map((t) => t.table))];
  if (targets.length === 0) return undefined;
  return targets.length === 1 ? targets[0] : `${targets.join(' or ')} (polymorphic)`;
}

/** `1 = Male, 2 = Female`; an F&O enum member whose label is its name, just the name (`No, Invoice`) */
function labelsText(labels: readonly ChoiceLabel[] | undefined): string {
  if (!labels || labels.length === 0) return '';
  const shown = labels.slice(0, 40).map((o) => (String(o.value) === o.label ? o.label : `${o.value} = ${o.label}`)).join(', ');
  return `: ${shown}${labels.length > 40 ? `, … (${labels.length} in all)` : ''}`;
}

function columnComment(table: Table, column: Column, labels: ChoiceLabels): string {
  const notes: string[] = [];
  if (column.isPrimaryKey) notes.push('primary key');
  const companions = table.columns.filter((c) => c.sourceColumn === column.name);
  const nameColumn = companions.find((c) => c.kind === 'lookupName')?.name;
  const typeColumn = companions.find((c) => c.kind === 'lookupType')?.name;
  const labelColumn = companions.find((c) => c.kind === 'choiceLabel')?.name;
  switch (column.kind) {
    case 'lookup': {
      const targets = targetsText(column);
      const extra = [nameColumn ? `its row's name in ${nameColumn}` : '', typeColumn ? `its table in ${typeColumn}` : ''].filter(Boolean).join(', ');
      notes.push(`lookup${targets ? ` to ${targets}` : ''}${extra ? `: ${extra}` : ''}`);
      break;
    }
    case 'lookupName':
      notes.push(`the name of ${column.sourceColumn}'s row`);
      break;
    case 'lookupType':
      notes.push(`the table of ${column.sourceColumn}'s row`);
      break;
    case 'choiceLabel':
      notes.push(`the label of ${column.sourceColumn}`);
      break;
    case 'navigation':
      notes.push('navigation property');
      break;
    case 'data':
      if (labelColumn || column.options) {
        const kind = column.sqlType.name === 'bit' ? 'yes/no' : column.enumType ? 'enum, written by member name' : 'choice';
        notes.push(`${kind}${labelsText(labels.get(column.name) ?? column.options)}${labelColumn ? `; its label in ${labelColumn}` : ''}`);
      }
      break;
  }
  if (column.readOnly && !column.isPrimaryKey) notes.unshift('read-only');
  if (column.description) notes.push(column.description.replace(/\s+/g, ' '));
  return notes.length ? ` -- ${notes.join('; ').replace(/^read-only; /, 'read-only: ')}` : '';
}

function relationshipLine(r: Relationship): string {
  const pairs = (table: string, columns: string[]) => (columns.length ? `${table}.${columns.join(', ')}` : table);
  switch (r.kind) {
    case 'many-to-one':
      return `-- many-to-one: ${pairs(r.fromTable, r.fromColumns)} → ${pairs(r.toTable, r.toColumns)} (navigation ${r.navigation})`;
    case 'one-to-many':
      return `-- one-to-many: ${pairs(r.fromTable, r.fromColumns)} ← ${pairs(r.toTable, r.toColumns)} (navigation ${r.navigation})`;
    case 'many-to-many':
      return `-- many-to-many: ${r.fromTable} ↔ ${r.toTable} (navigation ${r.navigation})`;
  }
}

export function describeTable(table: Table, labels: ChoiceLabels = new Map()): string {
  const lines: string[] = [];
  lines.push(`-- ${table.name}: entity set ${table.entitySetName}${table.description ? `. ${table.description.replace(/\s+/g, ' ')}` : ''}`);
  const body: string[] = [];
  const columns = orderedColumns(table);
  for (const [i, column] of columns.entries()) {
    const last = i === columns.length - 1 && table.primaryKey.length === 0 && table.alternateKeys.length === 0;
    body.push(`  ${sqlName(column.name)} ${formatSqlType(column.sqlType)} ${column.nullable ? 'NULL' : 'NOT NULL'}${last ? '' : ','}${columnComment(table, column, labels)}`);
  }
  const constraints: string[] = [];
  if (table.primaryKey.length) constraints.push(`  CONSTRAINT ${sqlName(`PK_${table.name}`)} PRIMARY KEY (${table.primaryKey.map(sqlName).join(', ')})`);
  for (const key of table.alternateKeys) constraints.push(`  CONSTRAINT ${sqlName(key.name)} UNIQUE (${key.columns.map(sqlName).join(', ')}) -- alternate key`);
  lines.push(`CREATE TABLE ${sqlName(table.name)} (`, ...body, ...constraints.map((c, i) => (i < constraints.length - 1 ? c.replace(/( --|$)/, ',$1') : c)), ');');
  if (table.relationships.length) {
    lines.push(`-- Relationships (${table.relationships.length}): join on the columns shown.`);
    lines.push(...table.relationships.map(relationshipLine));
  }
  return lines.join('\n') + '\n';
}
