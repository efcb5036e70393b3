/**
 * What apps get in rows and what the types let them write (issue 16): integers as numbers (strings
 * past 2^53, BigInt with Use BigInt), date-only columns as YYYY-MM-DD, rows that JSON.stringify;
 * `query<Row>()`/`stream<Row>()`, `await using`, and a settings object whose keys are checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SETTINGS, OBJECT_ONLY_FIELDS } from '../../src/config/settings.js';
import { rowPresenter } from '../../src/connection/result-values.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, DynasqlError, type ConnectInput, type ConnectionSettings, type Connection } from '../../src/index.js';

let emulator: RunningEmulator;
let conn: Connection;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 20 });
  conn = await connect({ organizationUrl: emulator.url });
});
afterAll(async () => {
  await conn?.close();
  await emulator?.close();
});

describe('values in rows', () => {
  it('gives SUM(int) and ROW_NUMBER() as numbers, so JSON.stringify(rows) works', async () => {
    const result = await conn.query('SELECT name, ROW_NUMBER() OVER (ORDER BY name) AS n FROM account ORDER BY name');
    expect(result.rows.map((r) => r.n)).toEqual(Array.from({ length: result.rowCount }, (_, i) => i + 1));
    const sum = await conn.query('SELECT SUM(numberofemployees) AS total, COUNT(*) AS accounts FROM account');
    expect(typeof sum.rows[0]!.total).toBe('number');
    expect(typeof sum.rows[0]!.accounts).toBe('number');
    expect(() => JSON.stringify(result.rows)).not.toThrow();
    expect(() => JSON.stringify(sum.rows)).not.toThrow();
  });

  it('streams the same numbers', async () => {
    const numbers: unknown[] = [];
    for await (const row of conn.stream('SELECT ROW_NUMBER() OVER (ORDER BY name) AS n FROM account')) numbers.push(row.n);
    expect(numbers.every((n) => typeof n === 'number')).toBe(true);
  });

  it('gives integers past 2^53 as exact strings, and BigInt with Use BigInt', () => {
    const columns = [{ name: 'n', type: 'bigint' }, { name: 'd', type: 'date' }];
    const plain = rowPresenter(columns, { useBigInt: false });
    expect(plain({ n: 9007199254740993n, d: null })).toEqual({ n: '9007199254740993', d: null });
    expect(plain({ n: -42n, d: new Date('2026-12-07T00:00:00Z') })).toEqual({ n: -42, d: '2026-12-07' });
    const big = rowPresenter(columns, { useBigInt: true });
    expect(big({ n: 42, d: null })).toEqual({ n: 42n, d: null });
    expect(big({ n: 9007199254740993n, d: null })).toEqual({ n: 9007199254740993n, d: null });
  });

  it('gives BigInt for bigint columns with useBigInt: true', async () => {
    await using big = await connect({ organizationUrl: emulator.url, useBigInt: true });
    const result = await big.query('SELECT ROW_NUMBER() OVER (ORDER BY name) AS n FROM account');
    expect(typeof result.rows[0]!.n).toBe('bigint');
  });

  it('gives date-only columns as YYYY-MM-DD text, from the service and from the local engine', async () => {
    const remote = await conn.query('SELECT TOP 5 birthdate FROM contact WHERE birthdate IS NOT NULL');
    expect(remote.rowCount).toBeGreaterThan(0);
    expect(remote.columns[0]!.type).toBe('date');
    for (const row of remote.rows) expect(row.birthdate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const local = await conn.query('SELECT TOP 5 birthdate, ROW_NUMBER() OVER (ORDER BY birthdate) AS n FROM contact WHERE birthdate IS NOT NULL');
    for (const row of local.rows) expect(row.birthdate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('keeps decimals and money as exact strings', async () => {
    const result = await conn.query('SELECT TOP 3 revenue FROM account WHERE revenue IS NOT NULL');
    for (const row of result.rows) expect(typeof row.revenue).toBe('string');
  });
});

describe('types', () => {
  interface AccountRow { name: string; n: number }

  it('types rows with query<Row>() and stream<Row>()', async () => {
    const result = await conn.query<AccountRow>('SELECT TOP 2 name, ROW_NUMBER() OVER (ORDER BY name) AS n FROM account');
    const first: AccountRow = result.rows[0]!;
    expect(typeof first.name).toBe('string');
    for await (const row of conn.stream<AccountRow>('SELECT TOP 1 name FROM account')) {
      const name: string = row.name;
      expect(name.length).toBeGreaterThan(0);
    }
  });

  it('closes a connection at the end of an `await using` block, and rolls back an open transaction', async () => {
    let kept: Connection;
    {
      await using scoped = await connect({ organizationUrl: emulator.url });
      kept = scoped;
      await using tx = scoped.begin();
      await tx.query("INSERT INTO account (name) VALUES ('disposed, never sent')");
      expect(tx.pendingOperations).toBe(1);
    }
    await expect(kept.query('SELECT TOP 1 name FROM account')).rejects.toMatchObject({ code: 'DYNASQL_ERR_CLOSED' });
    const sent = await conn.query("SELECT name FROM account WHERE name = 'disposed, never sent'");
    expect(sent.rowCount).toBe(0);
  });

  it('checks the keys of a settings object at compile time', () => {
    // @ts-expect-error a misspelt setting does not compile
    const misspelt: ConnectInput = { organizationUrl: 'http://127.0.0.1:1/', authSchem: 'None' };
    // @ts-expect-error a value outside the setting's choices does not compile
    const wrongChoice: ConnectInput = { organizationUrl: 'http://127.0.0.1:1/', authScheme: 'Password' };
    expect([misspelt, wrongChoice]).toHaveLength(2);
    expect(DynasqlError.name).toBe('DynasqlError');
  });

  it('has one key per setting of the settings table, in camelCase', () => {
    const keys: Record<keyof ConnectionSettings, true> = {
      organizationUrl: true, edition: true, apiVersion: true, authScheme: true, azureTenant: true, azureEnvironment: true,
      authorityHost: true, clientId: true, clientSecret: true, certificate: true, certificatePassword: true,
      certificateThumbprint: true, redirectUri: true, callbackPort: true, accessToken: true, refreshToken: true,
      adfsServer: true, tokenCacheFile: true, crossCompany: true, includeFormattedValues: true,
      includeNavigationProperties: true, useDynamicStoredProcedures: true, pageSize: true, pushdown: true, remoteLanguage: true, useBigInt: true,
      localMemoryLimit: true, localTempDirectory: true, verbosity: true, logFile: true, maxConcurrency: true, parallelReads: true, requestsPerSecond: true, nodes: true, throttleStore: true, timeout: true,
      statementTimeout: true, maxRetries: true, retryBudget: true, proxy: true, useEnvProxy: true, caFile: true,
      readOnly: true, allowUnsafeWrites: true, maxRowsAffected: true, atomic: true, bypassPlugins: true,
      bypassBusinessLogic: true, suppressDuplicateDetection: true, tokenProvider: true, logSink: true,
    };
    const camel = (name: string) => name.split(' ').map((word, i) => {
      const w = /^[A-Z]+$/.test(word) ? word.toLowerCase() : word;
      return i === 0 ? w[0]!.toLowerCase() + w.slice(1) : w[0]!.toUpperCase() + w.slice(1);
    }).join('');
    const table = [...SETTINGS.map((s) => camel(s.name)), ...Object.keys(OBJECT_ONLY_FIELDS)];
    expect(Object.keys(keys).sort()).toEqual(table.sort());
  });
});
