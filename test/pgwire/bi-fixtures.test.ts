/**
 * The SQL BI tools send (test/pgwire/fixtures/bi/<tool>/*.sql), each file run through the Postgres
 * adapter with node-postgres against the emulator, its rows checked against the same question
 * computed here over the emulator's raw OData rows (read with fetch, not through the driver); and the
 * PostgreSQL forms node-postgres users write with parameters (an array for `= ANY($1)`, casts, now()
 * with an interval), through the adapter's extended protocol.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';
import { startPgServer, type PgServer } from '../../src/pgwire/index.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'bi');
const USER = 'bi';
const PASSWORD = 'pencil';
const FILTER_CITY = 'Redmond';
/** the cities a tool keeps in a temporary table to filter on (temp-filter) */
const TEMP_FILTER_CITIES = ['Redmond', 'Seattle'];
const DAY = 86_400_000;

interface RawAccount { accountid: string; name: string; address1_city: string | null; revenue: number | null; createdon: string; industrycode: number | null }
interface Fixture { path: string; question: string; rows: number; sql: string }

let emulator: RunningEmulator;
let conn: Connection;
let server: PgServer;
let client: pg.Client;
let raw: RawAccount[];

/** dates as their text, numbers of every width as text: compared as written, whatever the client's time zone */
const types = {
  getTypeParser: (oid: number, format?: string) => ([1082, 20, 1700].includes(oid) ? (value: string) => value : pg.types.getTypeParser(oid, format as 'text')),
};

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 30 });
  conn = await connect(`Url=${emulator.url}`);
  server = await startPgServer({
    connection: conn, port: 0, orgUrl: emulator.url, users: [{ name: USER, password: PASSWORD }],
    engineCacheDirectory: join(tmpdir(), 'dynasql-pgwire-test-engine'),
  });
  client = new pg.Client({ host: '127.0.0.1', port: server.port, user: USER, password: PASSWORD, database: 'dynamics', types });
  await client.connect();
  // the catalog engine starts with the first statement that needs it; paid here, not by the first test
  await client.query('select 1');
  const response = await fetch(`${emulator.url}accounts?$select=accountid,name,address1_city,revenue,createdon,industrycode`);
  raw = ((await response.json()) as { value: RawAccount[] }).value;
  expect(raw).toHaveLength(30);
  expect(server.schema).toBe('emulator');
}, 180_000);

afterAll(async () => {
  await client?.end();
  await server?.close();
  await conn?.close();
  await emulator?.close();
});

function fixtures(): Fixture[] {
  return readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory()).flatMap((dir) =>
    readdirSync(join(FIXTURES, dir.name)).filter((f) => f.endsWith('.sql')).sort().map((file) => {
      const sql = readFileSync(join(FIXTURES, dir.name, file), 'utf8');
      const header = (key: string) => new RegExp(`^-- ${key}: (\\S+)`, 'm').exec(sql)?.[1];
      return { path: `${dir.name}/${file}`, question: header('question')!, rows: Number(header('rows')), sql };
    }));
}

/** how many rows of the raw data fall in each key */
function countBy<K>(key: (a: RawAccount) => K): Map<K, number> {
  const counts = new Map<K, number>();
  for (const a of raw) counts.set(key(a), (counts.get(key(a)) ?? 0) + 1);
  return counts;
}

/** a time bucket as the tools return it (a timestamp, a date's text, Grafana's epoch seconds) → its UTC day `YYYY-MM-DD` */
function dayOf(value: unknown): string {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'number' || /^\d+(\.\d+)?$/.test(String(value))) return new Date(Number(value) * 1000).toISOString().slice(0, 10);
  return String(value).slice(0, 10);
}

const rawDay = (a: RawAccount) => a.createdon.slice(0, 10);
const rawMonth = (a: RawAccount) => `${a.createdon.slice(0, 7)}-01`;

/** the independent answer to each question, checked against the rows the tool's SQL returned */
const CHECKS: Record<string, (rows: Record<string, unknown>[]) => void> = {
  preview: (rows) => {
    expect(rows).toHaveLength(raw.length);
    for (const row of rows) {
      const a = raw.find((x) => x.accountid === row.accountid)!;
      expect(a, String(row.accountid)).toBeDefined();
      expect(row.name).toBe(a.name);
      expect(row.address1_city).toBe(a.address1_city);
      expect(row.revenue === null ? null : Number(row.revenue)).toBe(a.revenue);
      expect((row.createdon as Date).getTime()).toBe(new Date(a.createdon).getTime());
    }
  },
  filter: (rows) => {
    const expected = raw.filter((a) => a.address1_city === FILTER_CITY);
    expect(rows.map((r) => r.accountid).sort()).toEqual(expected.map((a) => a.accountid).sort());
    expect(rows.every((r) => r.address1_city === FILTER_CITY && raw.some((a) => a.accountid === r.accountid && a.name === r.name))).toBe(true);
  },
  top: (rows) => {
    const counts = countBy((a) => a.address1_city);
    const values = rows.map((r) => Object.values(r));
    expect(values.map((v) => Number(v[1]))).toEqual([...counts.values()].sort((a, b) => b - a).slice(0, 5));
    for (const [city, n] of values) expect(counts.get(city as string)).toBe(Number(n));
  },
  'by-day': (rows) => {
    const found = new Map(rows.map((r) => Object.values(r)).map(([bucket, n]) => [dayOf(bucket), Number(n)]));
    expect(found).toEqual(countBy(rawDay));
  },
  'by-month': (rows) => {
    const found = new Map(rows.map((r) => Object.values(r)).map(([bucket, n]) => [dayOf(bucket), Number(n)]));
    expect(found).toEqual(countBy(rawMonth));
  },
  'temp-filter': (rows) => {
    const expected = raw.filter((a) => a.address1_city !== null && TEMP_FILTER_CITIES.includes(a.address1_city));
    expect(rows.map((r) => r.accountid).sort()).toEqual(expected.map((a) => a.accountid).sort());
    expect(rows.every((r) => raw.some((a) => a.accountid === r.accountid && a.name === r.name && a.address1_city === r.address1_city))).toBe(true);
  },
  distinct: (rows) => {
    const found = rows.map((r) => Object.values(r)[0]);
    expect(new Set(found).size).toBe(found.length);
    expect(new Set(found)).toEqual(new Set(raw.map((a) => a.industrycode)));
  },
};

describe('BI tools: the SQL they send, through the adapter', () => {
  const all = fixtures();

  it('every tool has the six questions, each question a check', () => {
    const six = ['preview', 'filter', 'top', 'by-day', 'by-month', 'distinct'];
    for (const tool of ['metabase', 'grafana', 'dbeaver', 'tableau', 'powerbi']) {
      expect(all.filter((f) => f.path.startsWith(`${tool}/`)).map((f) => f.question), tool).toEqual(expect.arrayContaining(six));
    }
    for (const fixture of all) expect(Object.keys(CHECKS), fixture.path).toContain(fixture.question);
  });

  for (const fixture of all) {
    it(`${fixture.path} (${fixture.question})`, async () => {
      // a file of several statements (temporary tables made, filled, read, dropped): the last result with columns is the answer
      const results = [await client.query(fixture.sql)].flat() as unknown as pg.QueryResult[];
      const answer = results.filter((r) => r.fields.length > 0).at(-1)!;
      expect(answer.rows, 'the row count written in the file').toHaveLength(fixture.rows);
      CHECKS[fixture.question]!(answer.rows as Record<string, unknown>[]);
    });
  }

  it('the temporary tables of the files are gone after them', async () => {
    expect((await client.query("SELECT count(*)::int AS n FROM pg_class WHERE relpersistence = 't'")).rows).toEqual([{ n: 0 }]);
  });
});

describe('PostgreSQL forms with parameters, through node-postgres', () => {
  it('= ANY($1) with a JavaScript array, <> ALL($1), $1::int[]', async () => {
    const names = raw.slice(0, 3).map((a) => a.name);
    const any = await client.query('SELECT name FROM account WHERE name = ANY($1)', [names]);
    expect(any.rows.map((r) => r.name).sort()).toEqual([...names].sort());
    const all = await client.query('SELECT count(*) AS n FROM account WHERE name <> ALL($1)', [names]);
    expect(Number(all.rows[0].n)).toBe(27);
    const codes = [...new Set(raw.map((a) => a.industrycode).filter((c) => c !== null))].slice(0, 2) as number[];
    const cast = await client.query('SELECT count(*) AS n FROM account WHERE industrycode = ANY($1::int[])', [codes]);
    expect(Number(cast.rows[0].n)).toBe(raw.filter((a) => a.industrycode !== null && codes.includes(a.industrycode)).length);
  });

  it('casts of parameters, extract, interval arithmetic, regular expressions', async () => {
    const since = new Date('2023-06-01T00:00:00Z');
    const { rows } = await client.query(
      "SELECT accountid, extract(epoch FROM createdon) AS e, createdon + interval '1 day' AS next FROM account WHERE createdon >= $1::timestamptz AND name ~* $2 ORDER BY createdon",
      [since, 'SAMPLE'],
    );
    const expected = raw.filter((a) => new Date(a.createdon) >= since && /sample/i.test(a.name));
    expect(rows.map((r) => r.accountid).sort()).toEqual(expected.map((a) => a.accountid).sort());
    for (const row of rows) {
      const created = new Date(raw.find((a) => a.accountid === row.accountid)!.createdon).getTime();
      expect(Number(row.e)).toBe(created / 1000);
      expect((row.next as Date).getTime()).toBe(created + DAY);
    }
  });

  it('an interval result has the interval OID (1186) and PostgreSQL\'s text, also where only the translator knows the statement', async () => {
    // `accounts` (the entity-set name) is a form the catalog engine cannot describe: the result's own type names the OID
    const { rows, fields } = await client.query({
      text: "SELECT createdon + interval '1 day 02:00:00' - createdon AS gap, interval '-1 year 3 days' AS back FROM accounts LIMIT 1",
      types: { getTypeParser: () => (value: string) => value },
    });
    expect(fields.map((f) => f.dataTypeID)).toEqual([1186, 1186]);
    expect(rows).toEqual([{ gap: '1 day 02:00:00', back: '-1 years +3 days' }]);
  });

  it("now() - interval '3 years'", async () => {
    const cutoff = (t: number) => { const d = new Date(t); d.setUTCFullYear(d.getUTCFullYear() - 3); return d.getTime(); };
    const before = Date.now();
    const { rows } = await client.query("SELECT count(*) AS n FROM account WHERE createdon >= now() - interval '3 years'");
    const after = Date.now();
    expect(Number(rows[0].n)).toBeGreaterThanOrEqual(raw.filter((a) => new Date(a.createdon).getTime() >= cutoff(after)).length);
    expect(Number(rows[0].n)).toBeLessThanOrEqual(raw.filter((a) => new Date(a.createdon).getTime() >= cutoff(before)).length);
  });
});
