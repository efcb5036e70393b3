/**
 * Column kinds the metadata API tells and `$metadata` does not (src/pushdown/column-kinds.ts), end to
 * end against the Dataverse emulator: choices the name convention misses (systemuser.accessmode,
 * team.teamtype, product.productstructure), whose MIN / MAX / SUM / AVG the service refuses, and a
 * multi-select choice, whose value the service does not match as text. One metadata request per
 * table, made only by a statement whose requests depend on it; the rows of push-down off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { DATAVERSE_EDMX } from '../../src/emulator/metadata/dataverse-edmx.js';
import { connect, type Connection } from '../../src/index.js';
import { startLoopbackServer, type LoopbackServer } from '../http/loopback-server.js';

/** the statements as the brief found them wrong (the service refused them), and their grouped kin */
const MISSED_CHOICES = [
  'SELECT MAX(accessmode) AS m FROM systemuser',
  'SELECT SUM(teamtype) AS s, AVG(teamtype) AS a FROM team',
  'SELECT MIN(productstructure) AS p, COUNT(*) AS n FROM product',
  'SELECT statecode, MAX(productstructure) AS m FROM product GROUP BY statecode ORDER BY statecode',
];

let emulator: RunningEmulator;
const conns: Connection[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 40 });
});

afterAll(async () => {
  for (const c of conns) await c.close();
  await emulator?.close();
});

async function open(url: string, settings = ''): Promise<Connection> {
  const conn = await connect(`Url=${url};${settings}`);
  conns.push(conn);
  return conn;
}

/** the statement's rows and the URLs it sent, decoded */
async function run(on: RunningEmulator, conn: Connection, sql: string): Promise<{ rows: unknown[]; sent: string[] }> {
  const before = on.requests().length;
  const { rows } = await conn.query(sql);
  return { rows, sent: on.requests().slice(before).map((r) => decodeURIComponent(r.url)) };
}

const metadata = (sent: string[]) => sent.filter((url) => url.includes('EntityDefinitions('));
const VALUE_AGGREGATE_SENT = /(accessmode|teamtype|productstructure) with (sum|average|min|max)|"(accessmode|teamtype|productstructure)" alias="[^"]*" aggregate="(sum|avg|min|max)"/;

describe('a choice the name convention misses', () => {
  it.each(['OData', 'FetchXML', 'Auto'])('keeps its MIN / MAX / SUM / AVG local with Remote Language=%s, as push-down off answers', async (language) => {
    const off = await open(emulator.url, 'Pushdown=false');
    const conn = await open(emulator.url, `Remote Language=${language}`);
    for (const sql of MISSED_CHOICES) {
      const { rows, sent } = await run(emulator, conn, sql);
      expect(rows, sql).toEqual((await off.query(sql)).rows);
      expect(sent.join('\n'), sql).not.toMatch(VALUE_AGGREGATE_SENT);
    }
  });

  it('reads a table\'s kinds once, with the first statement that needs them, and a number\'s MAX still goes', async () => {
    const conn = await open(emulator.url);
    let { sent } = await run(emulator, conn, 'SELECT MAX(accessmode) AS m FROM systemuser');
    expect(metadata(sent)).toEqual([expect.stringContaining("EntityDefinitions(LogicalName='systemuser')/Attributes?$select=LogicalName,AttributeType,AttributeTypeName")]);
    ({ sent } = await run(emulator, conn, 'SELECT MIN(accessmode) AS lo, MAX(accessmode) AS hi FROM systemuser WHERE accessmode >= 0'));
    expect(metadata(sent)).toEqual([]);
    ({ sent } = await run(emulator, conn, 'SELECT MAX(numberofemployees) AS m FROM account'));
    expect(metadata(sent)).toHaveLength(1);
    expect(sent.at(-1)).toContain('$apply=aggregate(numberofemployees with max as a1)');
  });

  it('sends no metadata request for reads, filters and counts', async () => {
    const conn = await open(emulator.url);
    for (const sql of [
      'SELECT fullname, accessmode FROM systemuser WHERE accessmode = 0',
      "SELECT name FROM account WHERE name LIKE 'A%' ORDER BY name",
      'SELECT teamtype, COUNT(*) AS n FROM team GROUP BY teamtype',
    ]) {
      expect(metadata((await run(emulator, conn, sql)).sent), sql).toEqual([]);
    }
  });

  it('EXPLAIN says why', async () => {
    const conn = await open(emulator.url, 'Remote Language=OData');
    const plan = (await conn.query('EXPLAIN SELECT MAX(accessmode) FROM systemuser')).rows.map((r) => r.plan).join('\n');
    expect(plan).toContain("accessmode is a choice (the service's metadata says so)");
  });
});

describe('when the service refuses the metadata request', () => {
  let proxy: LoopbackServer;

  beforeAll(async () => {
    // the emulator behind a proxy that refuses the Attributes list, as a service might for a caller without the privilege
    proxy = await startLoopbackServer(async (req, res, body) => {
      if (req.url!.includes('/Attributes?')) {
        res.writeHead(403, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: { code: '0x80040220', message: 'Principal user is missing prvReadEntity privilege.' } }));
        return;
      }
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k))) as Record<string, string>;
      const answer = await fetch(`${emulator.origin}${req.url}`, { method: req.method, headers, body: req.method === 'GET' ? undefined : body });
      const kept = ['content-type', 'odata-version', 'preference-applied', 'odata-entityid'];
      res.writeHead(answer.status, Object.fromEntries([...answer.headers].filter(([k]) => kept.includes(k)))).end(Buffer.from(await answer.arrayBuffer()));
    });
  });

  afterAll(async () => {
    await proxy?.close();
  });

  it('leaves the kinds unknown: the aggregates that depend on them run locally, with the right rows', async () => {
    const conn = await open(`${proxy.url}/api/data/v9.2/`);
    const off = await open(emulator.url, 'Pushdown=false');
    for (const sql of [...MISSED_CHOICES, 'SELECT MAX(numberofemployees) AS m FROM account']) {
      const { rows, sent } = await run(emulator, conn, sql);
      expect(rows, sql).toEqual((await off.query(sql)).rows);
      expect(sent.join('\n'), sql).not.toMatch(/ with (sum|average|min|max)|aggregate="(sum|avg|min|max)"/);
    }
    expect(proxy.requests.filter((r) => r.url.includes('/Attributes?'))).toHaveLength(3 + 1);
  });
});

describe('a multi-select choice', () => {
  let custom: RunningEmulator;
  const COLUMN = 'sample_outdooractivities';
  /** the multi-select doc's example data: contacts and the activities they like */
  const LIKES: [string, string | null][] = [['Wayne', '1,9'], ['Monte', '2'], ['Randal', '4'], ['Hiram', '2,3,8,9'], ['Barbara', null]];

  beforeAll(async () => {
    // the docs' example column, declared on contact as a customizer adds it: Edm.String in $metadata
    const xml = DATAVERSE_EDMX.replace(/(<EntityType Name="contact"[^>]*>\s*<Key>[\s\S]*?<\/Key>)/, `$1<Property Name="${COLUMN}" Type="Edm.String" Unicode="false"/>`);
    expect(xml).toContain(COLUMN);
    custom = await startEmulator({ port: 0, rows: 20, metadataXml: xml });
    const writer = await open(custom.url);
    for (const [name, likes] of LIKES) {
      await writer.query(`INSERT INTO contact (firstname, lastname, ${COLUMN}) VALUES (@name, 'Outdoors', @likes)`, { name, likes });
    }
  });

  afterAll(async () => {
    await custom?.close();
  });

  const STATEMENTS = [
    `SELECT firstname FROM contact WHERE ${COLUMN} = '1,9'`,
    `SELECT firstname FROM contact WHERE lastname = 'Outdoors' AND ${COLUMN} LIKE '%9%' ORDER BY firstname`,
    `SELECT ${COLUMN} AS likes, COUNT(*) AS n FROM contact WHERE lastname = 'Outdoors' GROUP BY ${COLUMN} ORDER BY likes`,
    `SELECT MAX(${COLUMN}) AS hi, COUNT(DISTINCT ${COLUMN}) AS d FROM contact`,
    `SELECT firstname FROM contact WHERE ${COLUMN} IN ('2', '4') ORDER BY firstname`,
    `SELECT TOP 3 firstname FROM contact WHERE lastname = 'Outdoors' ORDER BY ${COLUMN} DESC, firstname`,
    `SELECT a.firstname AS a, b.firstname AS b FROM contact a JOIN contact b ON b.${COLUMN} = a.${COLUMN} WHERE a.lastname = 'Outdoors'`,
  ];

  it.each(['OData', 'FetchXML', 'Auto'])('is matched, joined, grouped, aggregated and sorted locally with Remote Language=%s, as push-down off answers', async (language) => {
    const off = await open(custom.url, 'Pushdown=false');
    const conn = await open(custom.url, `Remote Language=${language}`);
    // as multisets: the join's rows come in the order each side is read
    const multiset = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).sort();
    for (const sql of STATEMENTS) {
      const { rows, sent } = await run(custom, conn, sql);
      expect(multiset(rows), sql).toEqual(multiset((await off.query(sql)).rows));
      const requests = sent.filter((url) => !url.includes('EntityDefinitions(')).join('\n');
      expect(requests, sql).not.toMatch(new RegExp(`${COLUMN} (eq|ne|in)|\\(${COLUMN}[,)]|"${COLUMN}" operator="(?!null|not-null)|${COLUMN} with|name="${COLUMN}"[^/]*(groupby|aggregate)|orderby=${COLUMN}|order attribute="${COLUMN}"|(from|to)="${COLUMN}"`));
    }
  });

  it('IS NULL still goes to the service without asking; the first condition on its value reads the kinds', async () => {
    const conn = await open(custom.url, 'Remote Language=OData');
    const { rows, sent } = await run(custom, conn, `SELECT firstname FROM contact WHERE lastname = 'Outdoors' AND ${COLUMN} IS NULL`);
    expect(rows).toEqual([{ firstname: 'Barbara' }]);
    expect(metadata(sent)).toEqual([]);
    expect(sent.at(-1)).toContain(`${COLUMN} eq null`);
    const before = custom.requests().length;
    const plan = (await conn.query(`EXPLAIN SELECT firstname FROM contact WHERE ${COLUMN} = '2'`)).rows.map((r) => r.plan).join('\n');
    expect(plan).toContain(`${COLUMN} is a multi-select choice`);
    expect(metadata(custom.requests().slice(before).map((r) => decodeURIComponent(r.url)))).toEqual([expect.stringContaining("EntityDefinitions(LogicalName='contact')/Attributes")]);
  });

  it('shows its labels as the service formats them', async () => {
    const response = await fetch(`${custom.url}contacts?$select=${COLUMN}&$filter=${COLUMN} eq '2,3,8,9'`, {
      headers: { Prefer: 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"' },
    });
    const body = await response.json() as { value: Record<string, unknown>[] };
    expect(body.value[0]?.[`${COLUMN}@OData.Community.Display.V1.FormattedValue`]).toBe('Hiking; Mountain Climbing; Skiing; Camping');
  });
});
