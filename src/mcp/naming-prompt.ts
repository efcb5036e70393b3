/**
 * The `dynasql_naming` prompt: how dynasql names what an agent needs to write correct SQL against
 * Dynamics, with examples taken from the connected org's own catalog, so every name it shows exists.
 * Finance & Operations has conventions of its own (natural keys with dataAreaId, enums by member name).
 * The conventions are the Dataverse TDS endpoint's (docs/architecture.md, "Naming the things users
 * see"): a lookup `parentcustomerid` (the GUID) with `parentcustomeridname` (the row's primary name)
 * and, when it may point at several tables, `parentcustomeridtype`; a choice `industrycode` (the
 * number) with `industrycodename` (its label).
 */
import type { Catalog, Column, Table } from '../index.js';

function firstWith(catalog: Catalog, test: (table: Table, column: Column) => boolean): { table: Table; column: Column } | undefined {
  // prefer the tables people ask about first, then any
  const preferred = ['contact', 'account', 'opportunity', 'incident', 'lead'];
  const tables = [...preferred.flatMap((n) => catalog.tables.filter((t) => t.name === n)), ...catalog.tables];
  for (const table of tables) {
    const column = table.columns.find((c) => test(table, c));
    if (column) return { table, column };
  }
  return undefined;
}

const companion = (table: Table, column: Column, kind: Column['kind']) => table.columns.find((c) => c.sourceColumn === column.name && c.kind === kind);

/** Finance & Operations: data entities with natural keys, enums by member name, no lookup companions */
function finOpsText(catalog: Catalog): string[] {
  const lines = [
    '- Keys are natural keys (describe_table shows them), most with dataAreaId: filter on the company (WHERE dataAreaId = \'usmf\') and join on every key column.',
  ];
  const enumColumn = firstWith(catalog, (_t, c) => c.enumType !== undefined && (c.options?.length ?? 0) > 1);
  if (enumColumn) {
    const options = enumColumn.column.options!;
    const members = options.slice(0, 3).map((o) => `'${String(o.value)}'`).join(', ') + (options.length > 3 ? ', …' : '');
    lines.push(`- An enum column holds the member's name as text: ${enumColumn.table.name}.${enumColumn.column.name} is one of ${members}; compare and write those names.`);
  } else {
    lines.push('- An enum column holds the member\'s name as text; compare and write those names.');
  }
  lines.push('- Rows of one company only, unless the connection sets Cross Company=true.');
  return lines;
}

export function namingPromptText(catalog: Catalog): string {
  const finops = catalog.edition === 'finops';
  const lines: string[] = [
    'You query Microsoft Dynamics 365 through dynasql, which speaks T-SQL (TOP n, ISNULL, DATEADD, GETDATE(), square-bracket names).',
    `This org is ${catalog.edition === 'finops' ? 'Finance & Operations: tables are data entities by their public collection name (CustomersV3), and most keys include dataAreaId (the company)' : 'Dataverse: tables are named by their logical name (account); the entity-set name (accounts) works too'}.`,
    '',
    'Naming conventions:',
  ];
  if (finops) return [...lines, ...finOpsText(catalog), ...closing()].join('\n');
  const lookup = firstWith(catalog, (t, c) => c.kind === 'lookup' && c.lookupTargets?.length === 1 && companion(t, c, 'lookupName') !== undefined);
  if (lookup) {
    const name = companion(lookup.table, lookup.column, 'lookupName')!.name;
    const target = lookup.column.lookupTargets![0]!;
    lines.push(
      `- A lookup column holds the GUID of a row in another table: ${lookup.table.name}.${lookup.column.name} points at ${target.table}.`,
      `  Its companion ${name} holds that row's primary name, so you rarely need a join to show it: SELECT ${name} FROM ${lookup.table.name}.`,
      `  To read other columns of the target, join on the GUID: JOIN ${target.table} t ON t.${target.referencedProperty} = ${lookup.table.name}.${lookup.column.name}.`,
    );
  } else {
    lines.push('- A lookup column holds the GUID of a row in another table; its companion <lookup>name holds that row\'s primary name.');
  }
  const polymorphic = firstWith(catalog, (t, c) => c.kind === 'lookup' && companion(t, c, 'lookupType') !== undefined);
  if (polymorphic) {
    const type = companion(polymorphic.table, polymorphic.column, 'lookupType')!.name;
    const targets = [...new Set((polymorphic.column.lookupTargets ?? []).map((t) => t.table))].join(' or ');
    lines.push(`- A lookup that may point at several tables (${polymorphic.table.name}.${polymorphic.column.name}: ${targets}) also has ${type}, the logical name of the table its row is in: filter on it before joining (WHERE ${type} = '${polymorphic.column.lookupTargets?.[0]?.table ?? 'account'}').`);
  }
  const choice = firstWith(catalog, (t, c) => c.kind === 'data' && c.sqlType.name !== 'bit' && companion(t, c, 'choiceLabel') !== undefined);
  if (choice) {
    const label = companion(choice.table, choice.column, 'choiceLabel')!.name;
    lines.push(
      `- A choice (option set) column holds a number: ${choice.table.name}.${choice.column.name}. Its companion ${label} holds the label in the user's language.`,
      `  Show and group by ${label}; filter on either (WHERE ${label} = '<label>' works and is sent to the service). describe_table lists the numbers and labels where the service gives them.`,
    );
  } else {
    lines.push('- A choice (option set) column holds a number; its companion <column>name holds the label.');
  }
  const yesNo = firstWith(catalog, (t, c) => c.kind === 'data' && c.sqlType.name === 'bit' && companion(t, c, 'choiceLabel') !== undefined);
  if (yesNo) lines.push(`- A yes/no column is a bit (${yesNo.table.name}.${yesNo.column.name}: 1 or 0), with its label in ${companion(yesNo.table, yesNo.column, 'choiceLabel')!.name}.`);
  lines.push(
    '- The companion columns (…name, …type) are read-only: write the lookup\'s GUID or the choice\'s number.',
    '- statecode / statuscode are the row\'s state and status reason (choices; statecode 0 is usually Active).',
    '- Money columns are money; dates are UTC datetime2.',
  );
  return [...lines, ...closing()].join('\n');
}

function closing(): string[] {
  return [
    '- System tables describe the org: sys_tables, sys_tablecolumns, sys_foreignkeys, INFORMATION_SCHEMA.COLUMNS.',
    '',
    'Work like this: search_tables to find a table, describe_table for its columns, explain to see what a statement costs (the requests it sends), query to read (rows are capped: prefer aggregates and TOP), execute for changes (try dry_run: true first).',
  ];
}
