/**
 * `dynasql types`: a TypeScript module of row interfaces, one per table, from the org's catalog, for
 * apps that want typed rows (`conn.query<Account>('SELECT … FROM account')`). Property types follow
 * what rows hold (docs/values-and-types.md); a column whose metadata lists its choices (F&O enums)
 * is a union of their values; every column is optional, since a row has only the columns selected.
 *
 *   rowTypesModule(catalog) →
 *   export interface Account {
 *     accountid?: string;
 *     revenue?: string | null;
 *     …
 *   }
 *   export interface Tables { account: Account; … }
 */
import type { Catalog, Column, Table } from '../index.js';

export interface RowTypesOptions {
  /** the connection returns integers as BigInt (Use BigInt=true) */
  useBigInt?: boolean;
}

const NUMBER_TYPES = /^(int|smallint|tinyint|float|real)$/;
const DATE_TYPES = /^(datetime2?|datetimeoffset|smalldatetime)$/;

/** the TypeScript type of a column's values */
export function columnTsType(column: Column, options: RowTypesOptions = {}): string {
  const base = (() => {
    if (column.options && column.options.length > 0) return column.options.map((o) => JSON.stringify(o.value)).join(' | ');
    const name = column.sqlType.name.toLowerCase();
    if (name === 'bigint') return options.useBigInt ? 'bigint' : 'number | string';
    if (name === 'bit') return 'boolean';
    if (NUMBER_TYPES.test(name)) return 'number';
    if (DATE_TYPES.test(name)) return 'Date';
    if (name === 'varbinary' || name === 'binary' || name === 'image') return 'Uint8Array';
    // text, GUIDs, exact decimals and money, date-only and time-of-day values
    return 'string';
  })();
  return column.nullable ? `${base} | null` : base;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `account` → `Account`, `msdyn_workorder` → `MsdynWorkorder`, `CustomersV3` → `CustomersV3` */
export function interfaceName(table: string): string {
  const words = table.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const name = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  return /^[0-9]/.test(name) || name === '' ? `T${name}` : name;
}

function propertyName(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

function comment(text: string): string {
  return text.replace(/\*\//g, '* /').replace(/\s+/g, ' ').trim();
}

export function rowTypesModule(catalog: Catalog, options: RowTypesOptions = {}, tables: readonly Table[] = catalog.tables): string {
  const taken = new Set<string>();
  const named: { table: Table; type: string }[] = [];
  for (const table of [...tables].sort((a, b) => a.name.localeCompare(b.name))) {
    let type = interfaceName(table.name);
    for (let n = 2; taken.has(type); n++) type = `${interfaceName(table.name)}${n}`;
    taken.add(type);
    named.push({ table, type });
  }
  const lines = [
    '// Row types of a Dynamics org, written by `dynasql types`. Regenerate after the org\'s tables change.',
    `// Integers: ${options.useBigInt ? 'bigint (the connection sets Use BigInt=true)' : 'number, or a string of exact digits past 2^53'}; decimals and money: exact strings;`,
    '// date-only columns: \'YYYY-MM-DD\' strings; every property is optional (a row holds the columns selected).',
    '',
  ];
  for (const { table, type } of named) {
    const about = table.description ? ` ${comment(table.description)}` : '';
    lines.push(`/** \`${table.name}\` (entity set \`${table.entitySetName}\`).${about} */`, `export interface ${type} {`);
    for (const column of table.columns) {
      if (column.kind === 'navigation') continue;
      lines.push(`  ${propertyName(column.name)}?: ${columnTsType(column, options)};`);
    }
    lines.push('}', '');
  }
  lines.push('/** every table\'s row type by table name: `conn.query<Tables[\'account\']>(…)` */', 'export interface Tables {');
  for (const { table, type } of named) lines.push(`  ${propertyName(table.name)}: ${type};`);
  lines.push('}', '');
  return lines.join('\n');
}
