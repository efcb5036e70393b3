/**
 * Issue 18: constant expressions and the clock functions are folded before push-down, end to end
 * against the Dataverse emulator: the same rows with push-down on and off, the filter sent to the
 * service, and one instant per statement. The exact requests are in
 * test/translate/constant-folding.fixtures (translation fixes the instant there).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';
import { asMultiset } from './compare-rows.js';

let emulator: RunningEmulator;
let pushed: Connection;
let local: Connection;
let root: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 40 });
  root = new URL(emulator.url).pathname;
  pushed = await connect(`Url=${emulator.url}`);
  local = await connect(`Url=${emulator.url};Pushdown=false`);
  // a row created now, so that "today" has one
  await pushed.query("INSERT INTO account (name) VALUES ('created today by the folding test')");
});

afterAll(async () => {
  await pushed?.close();
  await local?.close();
  await emulator?.close();
});

/** the $filter values the statement sent, after checking that push-down off gives the same rows */
async function filtersOf(sql: string): Promise<{ filters: string[]; rows: Record<string, unknown>[] }> {
  const before = emulator.requests().length;
  const withPushdown = await pushed.query(sql);
  const filters = emulator.requests().slice(before).map((r) => new URL(r.url, 'http://x').searchParams.get('$filter') ?? '');
  const withoutPushdown = await local.query(sql);
  expect(asMultiset(withPushdown.rows)).toEqual(asMultiset(withoutPushdown.rows));
  return { filters, rows: withPushdown.rows };
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

describe('clock functions: one instant per statement, sent as a constant', () => {
  it("today's rows (the issue's statement) are a range the service answers", async () => {
    const sql = 'SELECT name FROM account WHERE createdon >= CAST(GETDATE() AS DATE) AND createdon < DATEADD(day, 1, CAST(GETDATE() AS DATE))';
    const dayBefore = isoDay(new Date());
    const { filters, rows } = await filtersOf(sql);
    const dayAfter = isoDay(new Date());
    expect(rows.map((r) => r.name)).toContain('created today by the folding test');
    // the statement ran on one of these days (a run across midnight sees either)
    const range = (day: string) => {
      const next = new Date(`${day}T00:00:00Z`);
      next.setUTCDate(next.getUTCDate() + 1);
      return `createdon ge ${day}T00:00:00Z and createdon lt ${isoDay(next)}T00:00:00Z`;
    };
    expect([range(dayBefore), range(dayAfter)]).toContain(filters[0]);
  });

  it.each([
    'SELECT name FROM account WHERE createdon < GETDATE()',
    'SELECT name FROM account WHERE createdon >= DATEADD(year, -2, SYSUTCDATETIME())',
    'SELECT name FROM account WHERE modifiedon <= CURRENT_TIMESTAMP',
    'SELECT fullname FROM contact WHERE birthdate < CAST(GETUTCDATE() AS DATE)',
  ])('%s: the same rows pushed and local, the instant in the filter', async (sql) => {
    const { filters } = await filtersOf(sql);
    expect(filters[0]).toMatch(/^(createdon|modifiedon|birthdate) (lt|ge|le) \d{4}-\d\d-\d\d/);
  });

  it('every clock function in a statement reads the same instant', async () => {
    const result = await pushed.query('SELECT TOP 1 GETDATE() AS a, SYSUTCDATETIME() AS b, SYSDATETIMEOFFSET() AS c FROM account WHERE createdon < GETDATE()');
    const [row] = result.rows as { a: unknown; b: unknown; c: unknown }[];
    const ms = (v: unknown) => new Date(v instanceof Date ? v : String(v)).getTime();
    expect(ms(row!.a)).toBe(ms(row!.b));
    expect(ms(row!.b)).toBe(ms(row!.c));
  });
});

describe('constant expressions', () => {
  it.each([
    ["SELECT firstname FROM contact WHERE firstname = 'Ma' + 'rk'", "firstname eq 'Mark'"],
    ['SELECT name FROM account WHERE numberofemployees > 7 / 2 * 100 - 1', 'numberofemployees gt 299'],
    ["SELECT name FROM account WHERE createdon < DATEADD(month, 1, '2024-01-31')", 'createdon lt 2024-02-29T00:00:00Z'],
  ])('%s sends %s', async (sql, filter) => {
    const { filters } = await filtersOf(sql);
    expect(filters).toEqual([filter]);
  });
});
