/**
 * SUM of money is money, exact (fuzz KNOWN.md #22, issue 14 follow-up): `SELECT SUM(t0.revenue) AS a1
 * FROM account t0` goes out as `$apply` and came back as 11943114971.390007. Both sides are fixed:
 * the emulator sums decimals exactly (as SQL Server does) and the driver reads an aggregate's result
 * by its SQL type, so a service's JSON double cannot leak a float's digits either. The expected sums
 * are worked out here from the raw values with BigInt, never by the renderer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';
import { aggregateDecoderFor } from '../../src/odata/index.js';
import { roundDecimalText } from '../../src/odata/decimal-rounding.js';
import type { Column } from '../../src/catalog/types.js';

let emulator: RunningEmulator;
let pushed: Connection;
let local: Connection;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 6000, fuzzData: true });
  pushed = await connect(`Url=${emulator.url}`);
  local = await connect(`Url=${emulator.url};Pushdown=false`);
});

afterAll(async () => {
  await pushed?.close();
  await local?.close();
  await emulator?.close();
});

interface RawAccount { industrycode: number | null; creditonhold: boolean | null; revenue: number | null }

/** every account's values as the emulator serves them (paged), read over HTTP past the driver */
let raw: Promise<RawAccount[]> | undefined;
function rawAccounts(): Promise<RawAccount[]> {
  return (raw ??= readRawAccounts());
}

async function readRawAccounts(): Promise<RawAccount[]> {
  const rows: RawAccount[] = [];
  let url: string | undefined = `${emulator.url}accounts?$select=industrycode,creditonhold,revenue`;
  for (let page = 0; url !== undefined && page < 10; page++) {
    const body = (await (await fetch(url, { headers: { Accept: 'application/json' } })).json()) as { value: RawAccount[]; '@odata.nextLink'?: string };
    rows.push(...body.value);
    url = body['@odata.nextLink'];
  }
  return rows;
}

/** the exact sum of decimal texts, at 4 places, trailing zeros trimmed */
function exactMoneySum(values: readonly string[]): string {
  const units = values.reduce((sum, v) => {
    const [whole, fraction = ''] = v.split('.');
    return sum + BigInt(`${whole}${fraction.padEnd(4, '0')}`);
  }, 0n);
  const digits = units.toString().padStart(5, '0');
  return `${digits.slice(0, -4)}.${digits.slice(-4)}`.replace(/0+$/, '').replace(/\.$/, '');
}

describe('SUM / MIN / MAX of money pushed to $apply are exact money', () => {
  it('SELECT SUM(t0.revenue) AS a1 FROM account t0 (as written): 11943114971.39, no float noise', async () => {
    const sql = 'SELECT SUM(t0.revenue) AS a1 FROM account t0';
    expect((await pushed.query(`EXPLAIN ${sql}`)).rows.map((r) => r.plan).join('\n')).toContain('$apply');
    const raw = (await rawAccounts()).filter((r) => r.revenue !== null).map((r) => String(r.revenue));
    const expected = exactMoneySum(raw);
    expect(expected).toBe('11943114971.39');
    const a = await pushed.query(sql);
    expect(a.rows).toEqual([{ a1: expected }]);
    expect(a.columns).toEqual([{ name: 'a1', type: 'money', precision: 19, scale: 4 }]);
  });

  it('per group (KNOWN #22): SELECT SUM(t0.revenue) AS a0 FROM account t0 GROUP BY t0.industrycode, t0.creditonhold', async () => {
    const sql = 'SELECT t0.industrycode AS i, t0.creditonhold AS c, SUM(t0.revenue) AS a0 FROM account t0 GROUP BY t0.industrycode, t0.creditonhold';
    const raw = (await rawAccounts()).filter((r) => r.revenue !== null);
    const groups = new Map<string, string[]>();
    for (const r of raw) {
      const key = `${r.industrycode}|${r.creditonhold}`;
      groups.set(key, [...(groups.get(key) ?? []), String(r.revenue)]);
    }
    const answer = await pushed.query(sql);
    let checked = 0;
    for (const row of answer.rows) {
      const values = groups.get(`${row.i}|${row.c}`);
      if (!values) continue;
      expect(row.a0).toBe(exactMoneySum(values));
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('MIN and MAX of money pushed down are the stored values', async () => {
    const sql = 'SELECT MIN(revenue) AS lo, MAX(revenue) AS hi, SUM(revenue) AS s FROM account WHERE revenue < 1000000';
    const a = await pushed.query(sql);
    expect((await local.query(sql)).rows).toEqual(a.rows);
    expect(a.columns.map((c) => c.type)).toEqual(['money', 'money', 'money']);
  });
});

describe('the driver reads a pushed aggregate by its SQL type', () => {
  const column = (sqlType: Column['sqlType'], edmType = 'Edm.Decimal'): Column => ({
    name: 'a1', odataName: 'a1', kind: 'data', edmType, sqlType, nullable: true, readOnly: true, insertable: false, updatable: false, isPrimaryKey: false,
  });

  it('a service double with float noise reads as money at 4 places, decimal(38,2) at 2', () => {
    expect(aggregateDecoderFor(column({ name: 'money', precision: 19, scale: 4 }))(11943114971.390007)).toBe('11943114971.39');
    expect(aggregateDecoderFor(column({ name: 'money', precision: 19, scale: 4 }))(14930167.889999999)).toBe('14930167.89');
    expect(aggregateDecoderFor(column({ name: 'decimal', precision: 38, scale: 2 }))(0.30000000000000004)).toBe('0.3');
    expect(aggregateDecoderFor(column({ name: 'money', precision: 19, scale: 4 }))(null)).toBeNull();
    // a float's sum is a float: nothing to round
    expect(aggregateDecoderFor(column({ name: 'float' }, 'Edm.Double'))(0.30000000000000004)).toBe(0.30000000000000004);
  });

  it('rounds half away from zero, exponents included', () => {
    expect(roundDecimalText('2.50005', 4)).toBe('2.5001');
    expect(roundDecimalText('-2.50005', 4)).toBe('-2.5001');
    expect(roundDecimalText('-0.00001', 4)).toBe('0');
    expect(roundDecimalText('1.5e-5', 4)).toBe('0');
    expect(roundDecimalText('1.23456e3', 2)).toBe('1234.56');
    expect(roundDecimalText('9.99995', 4)).toBe('10');
    expect(roundDecimalText('12e2', 0)).toBe('1200');
  });
});
