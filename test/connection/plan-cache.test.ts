/**
 * The plan cache of `prepareStatement`: a repeat is served the same plan, a change of parameter value
 * (or only of its type) or of setting gets its own plan, and a refreshed catalog is never served a
 * plan made against the old one. Rows are checked against the emulator over a real socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilitiesFor } from '../../src/capabilities/index.js';
import { parseEdmx } from '../../src/catalog/index.js';
import type { Catalog } from '../../src/catalog/types.js';
import { prepareStatement, type StatementContext } from '../../src/connection/statement.js';
import { systemTables } from '../../src/connection/system-tables.js';
import { DATAVERSE_EDMX } from '../../src/emulator/metadata/dataverse-edmx.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';
import { parameterKey, type PhysicalPlan, type RemoteScanStep } from '../../src/plan/index.js';

function contextFor(catalog: Catalog, settings: Partial<StatementContext> = {}): StatementContext {
  return {
    catalog, system: systemTables(catalog), facts: capabilitiesFor(catalog), executor: undefined as never, engine: undefined as never,
    pushdown: true, crossCompany: false, includeFormattedValues: false, pageSize: 5000, serviceRoot: 'http://127.0.0.1/api/data/v9.2/',
    ...settings,
  };
}

// `%20` shown as a space, as in the translation fixtures
const urls = (plan: PhysicalPlan) => plan.scans.map((s) => (s as RemoteScanStep).request.url.replaceAll('%20', ' '));

describe('plan cache (pure)', () => {
  const ctx = contextFor(parseEdmx(DATAVERSE_EDMX));

  it('serves a repeated statement its first plan, frozen', () => {
    const first = prepareStatement(ctx, 'SELECT name FROM account WHERE revenue > @min', { min: 1000 }, 'tsql');
    const again = prepareStatement(ctx, 'SELECT name FROM account WHERE revenue > @min', { min: 1000 }, 'tsql');
    expect(again).toBe(first);
    expect(Object.isFrozen(first.plan)).toBe(true);
    expect(Object.isFrozen(first.plan.scans[0])).toBe(true);
    expect(Object.isFrozen((first.plan.scans[0] as RemoteScanStep).request.headers)).toBe(true);
    // the catalog's own objects are not frozen by the cache
    expect(Object.isFrozen(first.plan.scans[0]!.table)).toBe(false);
  });

  it('gives different parameter values different requests', () => {
    const sql = 'SELECT name FROM account WHERE revenue > @min';
    expect(urls(prepareStatement(ctx, sql, { min: 1000 }, 'tsql').plan)).toEqual(['accounts?$select=name&$filter=revenue gt 1000']);
    expect(urls(prepareStatement(ctx, sql, { min: 2000 }, 'tsql').plan)).toEqual(['accounts?$select=name&$filter=revenue gt 2000']);
    expect(urls(prepareStatement(ctx, 'SELECT name FROM account WHERE name = ?', ['a'], 'tsql').plan)).toEqual(['accounts?$select=name&$filter=name eq %27a%27']);
    expect(urls(prepareStatement(ctx, 'SELECT name FROM account WHERE name = ?', ["b'c"], 'tsql').plan)).toEqual(['accounts?$select=name&$filter=name eq %27b%27%27c%27']);
  });

  it('keys parameter values by type and value', () => {
    const keys = [[1], ['1'], [true], [1n], [null], [new Date('2024-01-02T03:04:05Z')], ['a;s1:b'], ['a', 'b'], [-0], [0]].map((v) => parameterKey(v));
    expect(new Set(keys).size).toBe(keys.length);
    expect(parameterKey([new Date('2024-01-02T03:04:05Z')])).toBe(parameterKey([new Date('2024-01-02T03:04:05.000Z')]));
  });

  it('is not fooled by a Date changed after the statement ran', () => {
    const sql = 'SELECT name FROM account WHERE createdon > @since';
    const since = new Date('2024-01-01T00:00:00Z');
    const first = urls(prepareStatement(ctx, sql, { since }, 'tsql').plan);
    since.setUTCFullYear(2025);
    const second = urls(prepareStatement(ctx, sql, { since }, 'tsql').plan);
    expect(first[0]).toContain('2024-01-01');
    expect(second[0]).toContain('2025-01-01');
  });

  it('keeps settings apart: page size, formatted values', () => {
    const sql = 'SELECT TOP 1 * FROM account';
    const plain = prepareStatement(ctx, sql, undefined, 'tsql');
    const formatted = prepareStatement({ ...ctx, includeFormattedValues: true }, sql, undefined, 'tsql');
    expect(formatted).not.toBe(plain);
    expect(formatted.plan.scans[0]!.columns.length).toBeGreaterThan(plain.plan.scans[0]!.columns.length);
    expect(prepareStatement({ ...ctx, pageSize: 10 }, sql, undefined, 'tsql')).not.toBe(plain);
  });

  it('does not serve a plan made against a catalog that was since replaced', () => {
    const sql = 'SELECT name, revenue FROM account';
    const old = prepareStatement(ctx, sql, undefined, 'tsql');
    // a refresh in which revenue went away: the new catalog object starts with no cached plans
    const refreshedCatalog = parseEdmx(DATAVERSE_EDMX);
    const account = refreshedCatalog.tables.find((t) => t.name === 'account')!;
    (account as { columns: unknown[] }).columns = account.columns.filter((c) => c.name !== 'revenue');
    const refreshed = contextFor(refreshedCatalog);
    expect(() => prepareStatement(refreshed, sql, undefined, 'tsql')).toThrow(/Unknown column 'revenue'/);
    expect(prepareStatement(refreshed, 'SELECT name FROM account', undefined, 'tsql').plan.scans[0]!.table).toBe(account);
    expect(prepareStatement(ctx, sql, undefined, 'tsql')).toBe(old);
  });

  it('reports a statement that does not bind before a missing parameter', () => {
    expect(() => prepareStatement(ctx, 'SELECT nme FROM account WHERE name = @p', undefined, 'tsql')).toThrow(/Unknown column 'nme'/);
    expect(() => prepareStatement(ctx, 'SELECT name FROM account WHERE name = @p', undefined, 'tsql')).toThrow(/@p/);
  });
});

describe('plan cache (against the emulator)', () => {
  let emulator: RunningEmulator;
  let conn: Connection;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, rows: 50 });
    conn = await connect(`Url=${emulator.url}`);
  });
  afterAll(async () => {
    await conn?.close();
    await emulator?.close();
  });

  it('returns the same rows for a repeated statement, and other rows for other values', async () => {
    const sql = 'SELECT TOP 10 name, revenue FROM account WHERE revenue > @min ORDER BY name';
    const first = await conn.query(sql, { min: 0 });
    const again = await conn.query(sql, { min: 0 });
    expect(first.rows.length).toBeGreaterThan(0);
    expect(again.rows).toEqual(first.rows);
    const max = Math.max(...first.rows.map((r) => Number(r.revenue)));
    const fewer = await conn.query(sql, { min: max });
    expect(fewer.rows.every((r) => Number(r.revenue) > max)).toBe(true);
    expect(fewer.rows).not.toEqual(first.rows);
  });

  it('runs a repeated statement with a local step the same way twice', async () => {
    const sql = "SELECT COUNT(*) AS n FROM account a JOIN contact c ON c.parentcustomerid = a.accountid WHERE a.name LIKE '%a%'";
    const first = await conn.query(sql);
    expect((await conn.query(sql)).rows).toEqual(first.rows);
  });
});
