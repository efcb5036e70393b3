/**
 * The DDL copy of a Dynamics catalog that the embedded Postgres engine holds, so that pg_catalog,
 * information_schema and every client's metadata queries are answered by Postgres itself.
 * Example: table `account` (key `accountid`, lookup `parentaccountid` → account) becomes
 *   CREATE TABLE "contoso"."account" ("accountid" uuid NOT NULL, "name" varchar(160), ...,
 *     CONSTRAINT "account_pkey" PRIMARY KEY ("accountid"));
 *   ALTER TABLE "contoso"."account" ADD CONSTRAINT ... FOREIGN KEY ("parentaccountid") REFERENCES "contoso"."account" ("accountid");
 *   COMMENT ON TABLE "contoso"."account" IS 'Business that represents a customer ...';
 * The same tables are created in `public` too.
 */
import type { Catalog, Procedure, Table } from '../index.js';
import { pgTypeOf } from './pg-types.js';

/** The role client statements run as in the engine: it can read the mirror but change nothing. */
export const READER_ROLE = 'dynasql_reader';

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
export const quoteLiteral = (text: string): string => `'${text.replace(/'/g, "''").replace(/\0/g, '')}'`;

const RESERVED_SCHEMAS = new Set(['public', 'information_schema', 'pg_catalog', 'pg_toast']);
const LOOPBACK_HOSTS = /^(localhost|127(\.\d+){3}|\[?::1\]?)$/i;

/**
 * A schema name derived from the org's URL: its first host label, made a safe lower-case
 * identifier (`https://contoso.crm4.dynamics.com/` → `contoso`; a loopback URL → `emulator`).
 */
export function schemaNameForOrg(orgUrl: string): string {
  let host = '';
  try {
    host = new URL(orgUrl).hostname;
  } catch {
    host = orgUrl;
  }
  if (LOOPBACK_HOSTS.test(host) || /^\d+(\.\d+){3}$/.test(host)) return 'emulator';
  let name = (host.split('.')[0] ?? '').toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 63);
  if (name === '' || /^\d/.test(name)) name = `org_${name}`.slice(0, 63);
  if (RESERVED_SCHEMAS.has(name) || name.startsWith('pg_')) name = `${name}_org`.slice(0, 63);
  return name;
}

/** Columns that hold values (navigation properties are not columns of the mirror). */
const valueColumns = (table: Table) => table.columns.filter((c) => c.kind !== 'navigation');

function tableDdl(schema: string, table: Table): string[] {
  const qualified = `${quoteIdent(schema)}.${quoteIdent(table.name)}`;
  const columns = valueColumns(table);
  const names = new Set(columns.map((c) => c.name));
  const lines = columns.map((c) => {
    const notNull = c.isPrimaryKey || table.primaryKey.includes(c.name) ? ' NOT NULL' : '';
    return `  ${quoteIdent(c.name)} ${pgTypeOf(c.sqlType).ddl}${notNull}`;
  });
  const key = table.primaryKey.filter((k) => names.has(k));
  if (key.length > 0 && key.length === table.primaryKey.length) {
    lines.push(`  CONSTRAINT ${quoteIdent(`${table.name}_pkey`.slice(0, 63))} PRIMARY KEY (${key.map(quoteIdent).join(', ')})`);
  }
  const out = [`CREATE TABLE ${qualified} (\n${lines.join(',\n')}\n);`];
  if (table.description) out.push(`COMMENT ON TABLE ${qualified} IS ${quoteLiteral(table.description)};`);
  for (const c of columns) {
    if (c.description) out.push(`COMMENT ON COLUMN ${qualified}.${quoteIdent(c.name)} IS ${quoteLiteral(c.description)};`);
  }
  return out;
}

/** Many-to-one relationships whose target key matches the target's primary key become FOREIGN KEYs. */
function foreignKeyDdl(schema: string, table: Table, byName: Map<string, Table>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const columns = new Set(valueColumns(table).map((c) => c.name));
  for (const r of table.relationships) {
    if (r.kind !== 'many-to-one' || r.fromColumns.length === 0) continue;
    const target = byName.get(r.toTable);
    if (!target || r.toColumns.length !== r.fromColumns.length) continue;
    if (r.toColumns.join(',') !== target.primaryKey.join(',')) continue;
    if (!r.fromColumns.every((c) => columns.has(c))) continue;
    const name = `${table.name}_${r.navigation}_fkey`.slice(0, 63);
    if (seen.has(name)) continue;
    seen.add(name);
    out.push(
      `ALTER TABLE ${quoteIdent(schema)}.${quoteIdent(table.name)} ADD CONSTRAINT ${quoteIdent(name)} ` +
        `FOREIGN KEY (${r.fromColumns.map(quoteIdent).join(', ')}) ` +
        `REFERENCES ${quoteIdent(schema)}.${quoteIdent(target.name)} (${r.toColumns.map(quoteIdent).join(', ')});`,
    );
  }
  return out;
}

/**
 * Unbound actions and functions become procedures, so `\df` and getProcedures list them and a
 * client's CALL parses; the call itself goes to the translator.
 */
function procedureDdl(schema: string, procedure: Procedure): string | undefined {
  if (procedure.bound || procedure.isQueryFunction) return undefined;
  const params = procedure.parameters
    .filter((p) => !p.isBinding)
    .map((p) => `${quoteIdent(p.name)} ${p.isCollection ? 'text' : pgTypeOf(p.sqlType).ddl}`);
  return `CREATE PROCEDURE ${quoteIdent(schema)}.${quoteIdent(procedure.name)}(${params.join(', ')}) LANGUAGE sql AS $dynasql$ $dynasql$;`;
}

export interface CatalogMirror {
  /** schemas, tables, keys and comments, as one script */
  tables: string;
  /** one statement per procedure, run one by one so a procedure the engine rejects is only skipped */
  procedures: string[];
}

/** All statements that build the mirror of `catalog` in `schema` and in `public`. */
export function catalogMirrorDdl(catalog: Catalog, schema: string): CatalogMirror {
  const byName = new Map(catalog.tables.map((t) => [t.name, t]));
  const statements: string[] = [];
  const procedures: string[] = [];
  for (const s of [schema, 'public']) {
    if (s !== 'public') statements.push(`CREATE SCHEMA ${quoteIdent(s)};`);
    statements.push(`COMMENT ON SCHEMA ${quoteIdent(s)} IS ${quoteLiteral(`Dynamics tables (${catalog.edition})`)};`);
    for (const t of catalog.tables) statements.push(...tableDdl(s, t));
    for (const t of catalog.tables) statements.push(...foreignKeyDdl(s, t, byName));
    const names = new Set<string>();
    for (const p of catalog.procedures) {
      if (names.has(p.name.toLowerCase())) continue;
      const ddl = procedureDdl(s, p);
      if (ddl) (procedures.push(ddl), names.add(p.name.toLowerCase()));
    }
  }
  return { tables: statements.join('\n'), procedures };
}

/** Makes the reader role: it may read the mirror and the catalogs, and write nothing. */
export function readerRoleDdl(schema: string): string {
  return [
    `CREATE ROLE ${READER_ROLE} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;`,
    `REVOKE CREATE ON SCHEMA public FROM PUBLIC;`,
    `DO $$ BEGIN EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database()); END $$;`,
    // the definitions of the current session's temporary tables (catalog-engine.ts defineTempTables);
    // clients' own CREATE TEMP statements never reach the engine (statement-router.ts)
    `DO $$ BEGIN EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO ${READER_ROLE}', current_database()); END $$;`,
    ...[schema, 'public'].flatMap((s) => [
      `GRANT USAGE ON SCHEMA ${quoteIdent(s)} TO ${READER_ROLE};`,
      `GRANT SELECT ON ALL TABLES IN SCHEMA ${quoteIdent(s)} TO ${READER_ROLE};`,
    ]),
  ].join('\n');
}
