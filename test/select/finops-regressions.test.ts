/**
 * The F&O wrong answers of issue 23 (items 5, 6, 9, 10) and the trailing-blank rule on Dataverse,
 * each statement as the issue wrote it, end to end against the emulator. The exact requests are
 * stated in test/translate/finops.fixtures and trailing-blanks.fixtures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { DynasqlError } from '../../src/errors/index.js';
import { connect, type Connection } from '../../src/index.js';

let finops: RunningEmulator;
let dataverse: RunningEmulator;
/** every company (120 customers) */
let allCompanies: Connection;
/** the default company (30 customers) */
let oneCompany: Connection;
let oneCompanyLocal: Connection;
let dv: Connection;

beforeAll(async () => {
  finops = await startEmulator({ port: 0, rows: 120, edition: 'finops' });
  dataverse = await startEmulator({ port: 0, rows: 20 });
  allCompanies = await connect(`Url=${finops.url};Cross Company=true`);
  oneCompany = await connect(`Url=${finops.url}`);
  oneCompanyLocal = await connect(`Url=${finops.url};Pushdown=false`);
  dv = await connect(`Url=${dataverse.url}`);
});

afterAll(async () => {
  for (const c of [allCompanies, oneCompany, oneCompanyLocal, dv]) await c?.close();
  await finops?.close();
  await dataverse?.close();
});

async function count(conn: Connection, sql: string, params?: unknown[] | Record<string, unknown>): Promise<unknown> {
  return Object.values((await conn.query(sql, params)).rows[0]!)[0];
}

/** what the emulator was asked since `before` (decoded, without the root) */
function sentSince(emulator: RunningEmulator, before: number): string[] {
  const root = new URL(emulator.url).pathname;
  return emulator.requests().slice(before).map((r) => decodeURIComponent(r.url.slice(root.length)));
}

describe("issue 23.5: '*' in a compared value stays local in every comparison form", () => {
  it("<> 'Contoso*' counts 120, not 104", async () => {
    expect(await count(allCompanies, 'SELECT COUNT(*) FROM CustomersV3')).toBe(120);
    expect(await count(allCompanies, "SELECT COUNT(*) FROM CustomersV3 WHERE OrganizationName <> 'Contoso*'")).toBe(120);
  });

  it("<> '*' counts 120, not 0", async () => {
    expect(await count(allCompanies, "SELECT COUNT(*) FROM CustomersV3 WHERE OrganizationName <> '*'")).toBe(120);
  });

  it("NOT IN ('*Wholesales', 'Grebe Shop') counts 29, not 24", async () => {
    expect(await count(oneCompany, 'SELECT COUNT(*) FROM CustomersV3')).toBe(30);
    const sql = "SELECT COUNT(*) FROM CustomersV3 WHERE OrganizationName NOT IN ('*Wholesales', 'Grebe Shop')";
    expect(await count(oneCompany, sql)).toBe(29);
    expect(await count(oneCompanyLocal, sql)).toBe(29);
  });

  it('NOT (x = …) and an ordering comparison', async () => {
    expect(await count(allCompanies, "SELECT COUNT(*) FROM CustomersV3 WHERE NOT (OrganizationName = 'Contoso*')")).toBe(120);
    const before = finops.requests().length;
    const above = await count(oneCompany, "SELECT COUNT(*) FROM CustomersV3 WHERE OrganizationName > 'Contoso*'");
    expect(sentSince(finops, before).join()).not.toContain('$filter');
    expect(above).toBe(await count(oneCompanyLocal, "SELECT COUNT(*) FROM CustomersV3 WHERE OrganizationName > 'Contoso*'"));
  });

  it('the same with a parameter', async () => {
    expect(await count(allCompanies, 'SELECT COUNT(*) FROM CustomersV3 WHERE OrganizationName <> ?', ['Contoso*'])).toBe(120);
    expect(await count(allCompanies, 'SELECT COUNT(*) FROM CustomersV3 WHERE OrganizationName <> @n', { n: '*' })).toBe(120);
    expect(await count(oneCompany, 'SELECT COUNT(*) FROM CustomersV3 WHERE OrganizationName NOT IN (@a, @b)', { a: '*Wholesales', b: 'Grebe Shop' })).toBe(29);
  });
});

describe('issue 23.6: enum literals by T-SQL rules', () => {
  it("= 'yes' matches the 'Yes' rows (case-insensitive), no service 400", async () => {
    const yes = await count(oneCompany, "SELECT COUNT(*) FROM CustomersV3 WHERE IsSalesTaxIncludedInPrice = 'Yes'");
    expect(yes).toBeGreaterThan(0);
    expect(await count(oneCompany, "SELECT COUNT(*) FROM CustomersV3 WHERE IsSalesTaxIncludedInPrice = 'yes'")).toBe(yes);
  });

  it("a non-member (OnHoldStatus = 'Blocked') gives no rows, and <> gives all rows", async () => {
    expect(await count(oneCompany, "SELECT COUNT(*) FROM CustomersV3 WHERE OnHoldStatus = 'Blocked'")).toBe(0);
    expect(await count(oneCompany, "SELECT COUNT(*) FROM CustomersV3 WHERE OnHoldStatus <> 'Blocked'")).toBe(30);
  });

  it("= '' gives no rows; = 'No ' (a trailing blank) matches the 'No' rows", async () => {
    expect(await count(oneCompany, "SELECT COUNT(*) FROM CustomersV3 WHERE IsSalesTaxIncludedInPrice = ''")).toBe(0);
    const no = await count(oneCompany, "SELECT COUNT(*) FROM CustomersV3 WHERE IsSalesTaxIncludedInPrice = 'No'");
    expect(no).toBeGreaterThan(0);
    expect(await count(oneCompany, "SELECT COUNT(*) FROM CustomersV3 WHERE IsSalesTaxIncludedInPrice = 'No '")).toBe(no);
  });
});

describe('issue 23.9: trailing blanks are ignored in comparisons', () => {
  it("CustomerAccount = 'US-001 ' finds US-001", async () => {
    const rows = (await oneCompany.query("SELECT CustomerAccount FROM CustomersV3 WHERE CustomerAccount = 'US-001 '")).rows;
    expect(rows).toEqual([{ CustomerAccount: 'US-001' }]);
  });

  it('Dataverse: = and IN with trailing blanks', async () => {
    const name = (await dv.query('SELECT TOP 1 name FROM account ORDER BY name')).rows[0]!.name as string;
    expect((await dv.query('SELECT name FROM account WHERE name = ?', [`${name}  `])).rows).toEqual([{ name }]);
    expect((await dv.query('SELECT name FROM account WHERE name IN (?, ?)', [`${name} `, 'no such name'])).rows).toEqual([{ name }]);
    expect(await count(dv, 'SELECT COUNT(*) FROM account WHERE name <> ?', [`${name} `])).toBe(await count(dv, 'SELECT COUNT(*) FROM account WHERE name <> ?', [name]));
  });
});

describe('issue 23.10: ORDER BY an enum sorts by the member name, pushed or not', () => {
  it('push-down on and off agree', async () => {
    const sql = 'SELECT TOP 8 CustomerAccount, OnHoldStatus FROM CustomersV3 ORDER BY OnHoldStatus DESC, CustomerAccount';
    const pushed = (await oneCompany.query(sql)).rows;
    expect(pushed).toEqual((await oneCompanyLocal.query(sql)).rows);
    const statuses = (await oneCompany.query('SELECT OnHoldStatus FROM CustomersV3')).rows.map((r) => r.OnHoldStatus as string);
    const byName = [...new Set(statuses)].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? 1 : -1));
    expect(pushed[0]!.OnHoldStatus).toBe(byName[0]);
  });
});

describe('issue 22.6: a number no type can hold is never sent', () => {
  it('1e309 is refused with a coded error and sends nothing', async () => {
    // as a literal the parser refuses it; as a parameter's text the one literal path does
    const cases: [string, unknown[] | undefined, string][] = [
      ['SELECT name FROM account WHERE revenue > 1e309', undefined, 'DYNASQL_ERR_UNSUPPORTED_SQL'],
      ['SELECT name FROM account WHERE revenue > ?', ['1e309'], 'DYNASQL_ERR_OVERFLOW'],
      ['SELECT name FROM account WHERE numberofemployees = ?', ['1e309'], 'DYNASQL_ERR_OVERFLOW'],
      ['SELECT name FROM account WHERE exchangerate < ?', ['-1e309'], 'DYNASQL_ERR_OVERFLOW'],
    ];
    for (const [sql, params, code] of cases) {
      const before = dataverse.requests().length;
      const error = await dv.query(sql, params).then(() => undefined, (e: unknown) => e);
      expect(error, sql).toBeInstanceOf(DynasqlError);
      expect((error as DynasqlError).code, sql).toBe(code);
      expect(sentSince(dataverse, before)).toEqual([]);
    }
  });

  it('a number beyond an int column is compared locally, as T-SQL compares it', async () => {
    const before = dataverse.requests().length;
    expect(await count(dv, 'SELECT COUNT(*) FROM account WHERE numberofemployees > 3000000000')).toBe(0);
    expect(sentSince(dataverse, before).join()).not.toContain('3000000000');
    expect(await count(dv, 'SELECT COUNT(*) FROM account WHERE numberofemployees < 3000000000')).toBe(await count(dv, 'SELECT COUNT(*) FROM account WHERE numberofemployees IS NOT NULL'));
  });
});
