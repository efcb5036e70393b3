/**
 * The write mode (issue 23): a random WHERE, the rows the oracle says it matches, the statement run
 * as UPDATE and as DELETE in one of the write forms from the emulator's known state (reset()), then
 * the whole target table read back over plain HTTP and compared with what the oracle predicts, and
 * the statement's rowCount checked.
 */
import type { Pred, Select } from './ast.js';
import { classOf, jsonSafe, record, type FuzzWorld, type Outcome, type Stats } from './harness.js';
import type { Feature, Generator } from './generate.js';
import { exportRows } from './oracle.js';
import { renderOracle } from './render-oracle.js';
import { quoteString, renderPredicate } from './render-sql.js';
import { ACCOUNT, CONTACT, type TableDef } from './schema.js';

/** The write forms; each is a feature of its own (`w-…`), so a failing form can be switched off. */
export const WRITE_FORMS = ['w-plain', 'w-key', 'w-alias', 'w-join', 'w-tx', 'w-atomic', 'w-continue', 'w-optimistic', 'w-pg', 'w-pgjoin', 'w-aliasdelete', 'w-pgusing'] as const;
export type WriteForm = (typeof WRITE_FORMS)[number];

export interface WriteCase {
  form: WriteForm;
  verb: 'UPDATE' | 'DELETE';
  sql: string;
  params: Record<string, unknown> | unknown[];
  dialect: 'tsql' | 'postgresql';
  table: TableDef;
  /** keys the statement must touch, per the oracle */
  expected: Set<string>;
  value: string;
  inTransaction: boolean;
  features: Set<Feature>;
}

const lower = (s: unknown) => String(s).toLowerCase();

async function oracleKeys(world: FuzzWorld, q: Select, dialect: 'tsql' | 'postgresql'): Promise<Set<string>> {
  const rows = await world.query(renderOracle(q, dialect).sql);
  return new Set(rows.map((r) => lower(r.k)));
}

/** Builds one write case: its statement text and the keys it must touch. */
export async function makeWriteCase(world: FuzzWorld, gen: Generator, forms: WriteForm[], n: number): Promise<WriteCase> {
  const pickable = forms.filter((f) => f !== 'w-aliasdelete' && f !== 'w-pgusing');
  const form = pickable[gen.int(0, pickable.length - 1)]!;
  // `DELETE a FROM account a …` (T-SQL's DELETE with an aliased FROM) is its own switch
  const aliasDelete = forms.includes('w-aliasdelete');
  const verb = gen.int(0, 1) === 0 || ((form === 'w-alias' || form === 'w-join') && !aliasDelete) || (form === 'w-pgjoin' && !forms.includes('w-pgusing')) ? 'UPDATE' : 'DELETE';
  const value = `fz${n}`;
  const table = form === 'w-join' || gen.int(0, 2) > 0 ? ACCOUNT : CONTACT;
  const key = table.key;
  const dialect = form === 'w-pg' || form === 'w-pgjoin' ? 'postgresql' : 'tsql';
  const option = form === 'w-atomic' ? ' OPTION (ATOMIC)' : form === 'w-continue' ? ' OPTION (CONTINUE_ON_ERROR)' : form === 'w-optimistic' ? ' OPTION (OPTIMISTIC)' : '';

  if (form === 'w-pgjoin') {
    // PostgreSQL: UPDATE account AS a SET … FROM contact c WHERE c.parentcustomerid = a.accountid AND p(a, c); DELETE … USING
    const { p, features } = gen.predicateFor([{ alias: 'a', table: ACCOUNT }, { alias: 'c', table: CONTACT }], 'postgresql');
    const on: Pred = { k: 'cmp', op: '=', l: { k: 'col', ty: 'guid', table: 'c', name: 'parentcustomerid' }, r: { k: 'col', ty: 'guid', table: 'a', name: 'accountid' } };
    const q: Select = { k: 'select', items: [{ e: { k: 'col', ty: 'guid', table: 'a', name: 'accountid' }, alias: 'k' }], from: { k: 'table', table: 'account', alias: 'a' }, joins: [{ type: 'INNER', from: { k: 'table', table: 'contact', alias: 'c' }, on }], where: p };
    const expected = await oracleKeys(world, q, 'postgresql');
    const w = renderPredicate(p, 'postgresql');
    const sql = verb === 'UPDATE'
      ? `UPDATE account AS a SET description = ${quoteString(value)} FROM contact c WHERE c.parentcustomerid = a.accountid AND ${w.sql}`
      : `DELETE FROM account AS a USING contact c WHERE c.parentcustomerid = a.accountid AND ${w.sql}`;
    return { form, verb, sql, params: w.params, dialect, table: ACCOUNT, expected, value, inTransaction: false, features };
  }

  if (form === 'w-join') {
    // UPDATE a SET … FROM account a JOIN contact c ON c.parentcustomerid = a.accountid WHERE p(a, c)
    const { p, features } = gen.predicateFor([{ alias: 'a', table: ACCOUNT }, { alias: 'c', table: CONTACT }], 'tsql');
    const on: Pred = { k: 'cmp', op: '=', l: { k: 'col', ty: 'guid', table: 'c', name: 'parentcustomerid' }, r: { k: 'col', ty: 'guid', table: 'a', name: 'accountid' } };
    const q: Select = { k: 'select', items: [{ e: { k: 'col', ty: 'guid', table: 'a', name: 'accountid' }, alias: 'k' }], from: { k: 'table', table: 'account', alias: 'a' }, joins: [{ type: 'INNER', from: { k: 'table', table: 'contact', alias: 'c' }, on }], where: p };
    const expected = await oracleKeys(world, q, dialect);
    const w = renderPredicate(p, 'tsql');
    const sql = verb === 'UPDATE'
      ? `UPDATE a SET description = ${quoteString(value)} FROM account a JOIN contact c ON c.parentcustomerid = a.accountid WHERE ${w.sql}`
      : `DELETE a FROM account a JOIN contact c ON c.parentcustomerid = a.accountid WHERE ${w.sql}`;
    return { form, verb, sql, params: w.params, dialect, table, expected, value, inTransaction: false, features };
  }

  const alias = form === 'w-alias' ? 'a' : form === 'w-pg' && gen.int(0, 1) === 0 ? 't' : table.name;
  const { p, features } = gen.predicateFor([{ alias, table }], dialect);
  const q: Select = { k: 'select', items: [{ e: { k: 'col', ty: 'guid', table: alias, name: key }, alias: 'k' }], from: { k: 'table', table: table.name, alias }, where: p };
  const expected = await oracleKeys(world, q, dialect);
  const w = renderPredicate(p, dialect);
  const set = table === ACCOUNT ? 'description' : 'jobtitle';
  let sql: string;
  let params = w.params;
  if (form === 'w-key') {
    // By key, the keys spelt as users do: upper case, braces, a duplicate, and one that does not exist.
    const keys = [...expected].slice(0, 40);
    const spelt = keys.map((k, i) => (i % 3 === 1 ? k.toUpperCase() : i % 3 === 2 ? `{${k}}` : k));
    if (keys.length && gen.int(0, 1) === 0) spelt.push(keys[0]!.toUpperCase());
    spelt.push('00000000-0000-0000-0000-00000000f022');
    expected.clear();
    for (const k of keys) expected.add(k);
    const list = spelt.map(quoteString).join(', ');
    sql = verb === 'UPDATE' ? `UPDATE ${table.name} SET ${set} = ${quoteString(value)} WHERE ${key} IN (${list})` : `DELETE FROM ${table.name} WHERE ${key} IN (${list})`;
    params = {};
  } else if (form === 'w-alias') {
    sql = verb === 'UPDATE'
      ? `UPDATE ${table.name} SET ${set} = ${quoteString(value)} FROM ${table.name} a WHERE ${w.sql}`
      : `DELETE a FROM ${table.name} a WHERE ${w.sql}`;
  } else if (form === 'w-pg') {
    const target = alias === table.name ? table.name : `${table.name} AS ${alias}`;
    sql = verb === 'UPDATE' ? `UPDATE ${target} SET ${set} = ${quoteString(value)} WHERE ${w.sql}` : `DELETE FROM ${target} WHERE ${w.sql}`;
  } else {
    sql = verb === 'UPDATE' ? `UPDATE ${table.name} SET ${set} = ${quoteString(value)} WHERE ${w.sql}${option}` : `DELETE FROM ${table.name} WHERE ${w.sql}${option}`;
  }
  return { form, verb, sql, params, dialect, table, expected, value, inTransaction: form === 'w-tx', features };
}

/**
 * Runs one case from the known state and checks the table afterwards; resets the emulator after, so
 * the next case starts from the known state too (a fresh world is in it).
 */
export async function runWriteCase(world: FuzzWorld, c: WriteCase): Promise<Outcome> {
  const base = { sql: c.sql, params: c.params, dialect: c.dialect };
  let rowCount: number;
  let failures: unknown[] | undefined;
  try {
    if (c.inTransaction) {
      const tx = world.conn.begin();
      const r = await tx.query(c.sql, c.params as never);
      await tx.commit();
      rowCount = r.rowCount;
    } else {
      const r = await world.conn.query(c.sql, c.params as never, { dialect: c.dialect });
      rowCount = r.rowCount;
      failures = r.failures;
    }
  } catch (error) {
    const e = error as { code?: string; message?: string };
    world.emulator.reset();
    // Documented refusal: OPTIMISTIC reads each row's etag with the WHERE, so the service must evaluate all of it.
    if (c.form === 'w-optimistic' && e.code === 'DYNASQL_ERR_UNSUPPORTED_SQL' && /OPTIMISTIC needs a WHERE/.test(String(e.message))) return { ...base, kind: 'agree', detail: 'refused (documented)' };
    return { ...base, kind: 'error', detail: String(e.message).slice(0, 300), errorClass: `${c.form} ${c.verb}: ${e.code ?? 'no code'}` };
  }
  const problems: string[] = [];
  if (rowCount !== c.expected.size) problems.push(`rowCount ${rowCount}, the oracle matches ${c.expected.size}`);
  if (failures?.length) problems.push(`failures reported: ${JSON.stringify(failures).slice(0, 200)}`);
  const setColumn = c.table === ACCOUNT ? 'description' : 'jobtitle';
  const after = await exportRows(world.emulator.url, { ...c.table, columns: c.table.columns.filter((col) => col.name === c.table.key || col.name === setColumn) });
  const before = world.tables.get(c.table.name)!;
  const afterById = new Map(after.map((r) => [lower(r[c.table.key]), r[setColumn]]));
  let wrong = 0;
  const examples: string[] = [];
  for (const row of before) {
    const id = lower(row[c.table.key]);
    const touched = c.expected.has(id);
    const present = afterById.has(id);
    let ok: boolean;
    if (c.verb === 'DELETE') ok = present === !touched;
    else ok = present && afterById.get(id) === (touched ? c.value : row[setColumn]);
    if (!ok) {
      wrong += 1;
      if (examples.length < 3) examples.push(`${id}: ${touched ? 'should' : 'should not'} be ${c.verb === 'DELETE' ? 'deleted' : 'updated'} (now ${present ? JSON.stringify(afterById.get(id)) : 'absent'})`);
    }
  }
  if (after.length > before.length) problems.push(`${after.length - before.length} rows appeared`);
  if (wrong) problems.push(`${wrong} rows wrong: ${examples.join('; ')}`);
  world.emulator.reset();
  if (!problems.length) return { ...base, kind: 'agree' };
  return { ...base, kind: 'disagree', detail: problems.join('; ') };
}

export async function runWriteCases(world: FuzzWorld, seed: number, count: number, features: Set<Feature>, stats: Stats, out: (line: string) => void, forms: WriteForm[] = [...WRITE_FORMS]): Promise<void> {
  const gen = world.generator(seed, features);
  const shown = new Set<string>();
  for (let i = 0; i < count; i++) {
    const c = await makeWriteCase(world, gen, forms, i);
    const outcome = await runWriteCase(world, c);
    const cls = `${c.form} ${c.verb} ${classOf({ features: c.features, dialect: c.dialect })}`;
    record(stats, outcome, cls);
    const key = outcome.kind === 'error' ? outcome.errorClass! : `${c.form} ${c.verb}`;
    if (outcome.kind !== 'agree' && !shown.has(key)) {
      shown.add(key);
      out(`\n#${i} ${outcome.kind === 'error' ? 'ERROR' : 'WRONG WRITE'} [${key}] ${c.sql}${Object.keys(c.params).length ? `   params ${JSON.stringify(c.params, jsonSafe)}` : ''}\n  ${outcome.detail}`);
    }
  }
}
