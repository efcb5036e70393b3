/**
 * Push-down depth (issue 18): per statement of a fixed corpus, the rows transferred from the service
 * and the HTTP requests sent, with Remote Language=OData (before FetchXML) and Auto (after), beside
 * the least any client could send (the result's rows in one request). The emulator runs in this
 * process, so its request log counts the requests; the statement's progress counts the rows read.
 * Targets: with Auto, the rows read are the rows needed (the result, within one page) for every
 * kind, and the 200,000-row date-bucketed aggregate takes at most 10 requests. Three more 200,000-row
 * aggregates, a GROUP BY of text, a distinct count of a number, and distinct counts of a text and a
 * lookup, are answered by parts (not every row read).
 */
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { connect, type Connection, type Progress } from '../src/index.js';
import { atMost, type BenchResult, type Check } from './lib/result.js';

const CORPUS: [string, string][] = [
  ['join on a non-lookup column', "SELECT a.name, c.fullname FROM account a JOIN contact c ON c.address1_city = a.address1_city WHERE a.name LIKE 'A%' AND c.lastname LIKE 'C%'"],
  ['EXISTS semi-join', "SELECT a.name FROM account a WHERE EXISTS (SELECT 1 FROM contact c WHERE c.parentcustomerid = a.accountid AND c.firstname LIKE 'J%')"],
  ['IN (subquery)', "SELECT name FROM account WHERE primarycontactid IN (SELECT contactid FROM contact WHERE firstname LIKE 'M%')"],
  ['NOT EXISTS anti-join', 'SELECT a.name FROM account a WHERE NOT EXISTS (SELECT 1 FROM contact c WHERE c.parentcustomerid = a.accountid)'],
  ['date-bucketed GROUP BY', 'SELECT YEAR(createdon) AS y, MONTH(createdon) AS m, COUNT(*) AS n FROM account GROUP BY YEAR(createdon), MONTH(createdon)'],
  ['distinct count', 'SELECT COUNT(DISTINCT address1_city) AS cities FROM account'],
  ["LIKE with '_'", "SELECT name FROM account WHERE name LIKE '%e_'"],
  ['join of three tables', "SELECT a.name, c.fullname, u.fullname AS owner FROM account a JOIN contact c ON c.parentcustomerid = a.accountid LEFT JOIN systemuser u ON u.systemuserid = c.ownerid WHERE a.name LIKE 'A%'"],
  ['1:N join over more than one page', 'SELECT a.name, c.fullname FROM account a JOIN contact c ON c.parentcustomerid = a.accountid'],
  ['GROUP BY with HAVING', 'SELECT address1_city, COUNT(*) AS n FROM account GROUP BY address1_city HAVING COUNT(*) > 1'],
  ['AVG by group', 'SELECT industrycode, AVG(numberofemployees) AS e, AVG(revenue) AS r FROM account GROUP BY industrycode'],
  ['week buckets', 'SELECT YEAR(createdon) AS y, DATEPART(week, createdon) AS w, COUNT(*) AS n FROM account GROUP BY YEAR(createdon), DATEPART(week, createdon)'],
  // the service alone answers these (OData refuses them before any request: its side reads nothing)
  // {parent}: an account of the seed with accounts below it
  ['hierarchy (UNDER)', "SELECT name FROM account WHERE UNDER(accountid, '{parent}')"],
  ['hierarchy complement (NOT EQ_OR_UNDER)', "SELECT COUNT(*) AS n FROM account WHERE NOT EQ_OR_UNDER(accountid, '{parent}')"],
  ['relative date (LAST_X_MONTHS), grouped', 'SELECT MONTH(createdon) AS m, COUNT(*) AS n FROM account WHERE LAST_X_MONTHS(createdon, 30) GROUP BY MONTH(createdon)'],
  ['the calling user (CURRENT_USER_ID())', 'SELECT name FROM account WHERE ownerid = CURRENT_USER_ID()'],
  // the query's shape (issue 18, OData completeness): filters through CTEs, derived tables and UNION, pruned EXISTS, semi-joins, aggregates
  ['filter through a CTE', "WITH cte AS (SELECT contactid, firstname, lastname FROM contact WHERE firstname LIKE 'M%') SELECT * FROM cte WHERE lastname LIKE 'C%'"],
  ['filter through a derived table', "SELECT TOP 10 name FROM (SELECT accountid, name FROM account) a WHERE name LIKE 'A%'"],
  ['filter through UNION ALL', "SELECT name FROM (SELECT name, statecode FROM account UNION ALL SELECT fullname, statecode FROM contact) u WHERE name LIKE 'B%'"],
  ['EXISTS with SELECT *', "SELECT a.name FROM account a WHERE EXISTS (SELECT * FROM contact c WHERE c.parentcustomerid = a.accountid AND c.lastname LIKE 'C%')"],
  // no relationship joins the two columns: the subquery is read first and its keys go into the outer $filter (connection/subquery-keys.ts)
  ['IN (subquery) without a relationship', "SELECT name FROM account WHERE name IN (SELECT lastname FROM contact WHERE firstname = 'Mark')"],
  ['IN (subquery) of e-mail addresses', "SELECT fullname FROM contact WHERE emailaddress1 IN (SELECT emailaddress1 FROM account WHERE name LIKE 'A%')"],
  ['key IN (subquery of a lookup)', "SELECT name FROM account WHERE accountid IN (SELECT parentcustomerid FROM contact WHERE lastname LIKE 'C%')"],
  // more keys than one request takes: GUIDs in requests of 100 (before: the outer table read whole, 4,000 rows)
  ['IN (subquery), 150 keys in two requests', "SELECT fullname FROM contact WHERE contactid IN (SELECT TOP 150 contactid FROM contact WHERE lastname LIKE 'C%' ORDER BY contactid)"],
  ['IN (subquery), 1,200 keys in 12 requests', 'SELECT fullname FROM contact WHERE contactid IN (SELECT TOP 1200 contactid FROM contact ORDER BY contactid)'],
  ["issue 18's ungrouped aggregates", 'SELECT count(*), count(name), count(DISTINCT name), max(name), min(name), avg(numberofemployees) FROM account'],
  ['GROUP BY name HAVING', 'SELECT name, count(*) FROM account GROUP BY name HAVING count(*) > 1'],
  ['MIN / MAX of text', 'SELECT max(name), min(name) FROM account'],
  // filters on display columns and constant expressions (issue 18, OData completeness); the first
  // display-column statement of a connection also reads the labels or primary names it needs (counted)
  ['choice label', "SELECT name FROM account WHERE industrycodename = 'Consulting'"],
  ['choice label no option has', "SELECT name FROM account WHERE industrycodename = 'No such industry'"],
  ['yes/no label', "SELECT name FROM account WHERE creditonholdname = 'Yes'"],
  ["lookup name (the issue's)", "SELECT name FROM account WHERE primarycontactidname = 'Mark Carrington'"],
  ['polymorphic lookup name', "SELECT fullname FROM contact WHERE parentcustomeridname = 'Fourth Coffee (sample)'"],
  ['lookup type', "SELECT fullname FROM contact WHERE parentcustomeridtype = 'contact'"],
  ['folded constant', "SELECT fullname FROM contact WHERE firstname = 'Ma' + 'rk'"],
  ["today's range (GETDATE, DATEADD)", 'SELECT name FROM account WHERE createdon >= CAST(GETDATE() AS DATE) AND createdon < DATEADD(day, 1, CAST(GETDATE() AS DATE))'],
];
const BIG_AGGREGATE = 'SELECT YEAR(createdon) AS y, MONTH(createdon) AS m, COUNT(*) AS n, SUM(revenue) AS r FROM account GROUP BY YEAR(createdon), MONTH(createdon)';
/** past the limit too, split by what the date ranges alone did not split (fetchxml/split.ts): text groups, a distinct count by ranges of its column, distinct counts of two columns */
const BIG_SPLITS: [string, string][] = [
  ['200,000-row GROUP BY of text', 'SELECT address1_city, COUNT(*) AS n, SUM(revenue) AS r FROM account GROUP BY address1_city'],
  ['200,000-row distinct count', 'SELECT COUNT(DISTINCT numberofemployees) AS e, COUNT(*) AS n FROM account'],
  // distinct counts of text and of a lookup: a part each, each counted from its parts' groups (fetchxml/distinct-groups.ts)
  ['200,000-row distinct counts of text and a lookup', 'SELECT COUNT(DISTINCT address1_city) AS cities, COUNT(DISTINCT ownerid) AS owners, COUNT(*) AS n FROM account'],
];
const PAGE = 5000;

interface Measure { rows: number; requests: number; resultRows: number }

async function measure(emulator: RunningEmulator, conn: Connection, sql: string): Promise<Measure> {
  const before = emulator.requests().length;
  let last: Progress | undefined;
  const result = await conn.query(sql, undefined, { onProgress: (p) => { last = p; } });
  return { rows: last?.rows ?? 0, requests: emulator.requests().length - before, resultRows: result.rowCount };
}

/** a statement OData refuses (a predicate only the service answers) counts as reading nothing: it gives no answer */
async function refusedOrMeasured(emulator: RunningEmulator, conn: Connection, sql: string): Promise<Measure | 'refused'> {
  try {
    return await measure(emulator, conn, sql);
  } catch (error) {
    if ((error as { code?: string }).code === 'DYNASQL_ERR_UNSUPPORTED_SQL') return 'refused';
    throw error;
  }
}

/** `off`: push-down off (every table read whole: the most any statement reads) */
async function side(emulator: RunningEmulator, sql: string): Promise<{ off: Measure | 'refused'; odata: Measure | 'refused'; auto: Measure }> {
  const off = await connect(`Url=${emulator.url};Pushdown=false`);
  const odata = await connect(`Url=${emulator.url};Remote Language=OData`);
  const auto = await connect(`Url=${emulator.url}`);
  try {
    return { off: await refusedOrMeasured(emulator, off, sql), odata: await refusedOrMeasured(emulator, odata, sql), auto: await measure(emulator, auto, sql) };
  } finally {
    await off.close();
    await odata.close();
    await auto.close();
  }
}

async function firstParent(emulator: RunningEmulator): Promise<string> {
  const conn = await connect(`Url=${emulator.url}`);
  try {
    const { rows } = await conn.query('SELECT TOP 1 parentaccountid FROM account WHERE parentaccountid IS NOT NULL ORDER BY parentaccountid');
    return String(rows[0]!.parentaccountid);
  } finally {
    await conn.close();
  }
}

export async function runPushdownBench(): Promise<BenchResult> {
  const checks: Check[] = [];
  const figures: Record<string, unknown> = {};
  const small = await startEmulator({ port: 0, rows: 2_000 });
  try {
    const parent = await firstParent(small);
    for (const [kind, template] of CORPUS) {
      const sql = template.replace('{parent}', parent);
      const { off, odata, auto } = await side(small, sql);
      figures[kind] = { sql, off, odata, auto, least: { rows: auto.resultRows, requests: 1 } };
      // the rows needed: the result's rows (an aggregate's groups), to within one page
      checks.push(atMost(`${kind}: rows read beyond the result (Auto)`, auto.rows - auto.resultRows, PAGE, 'rows', `OData ${odata === 'refused' ? 'refused it' : `read ${odata.rows} rows in ${odata.requests} requests`}; Auto ${auto.rows} in ${auto.requests}`));
    }
  } finally {
    await small.close();
  }
  const big = await startEmulator({ port: 0, rows: 200_000 });
  try {
    // the emulator evaluates each FetchXML over 200,000 rows in this process: a generous request timeout
    const conn = await connect(`Url=${big.url};Timeout=600`);
    try {
      // the connection's one read of the org's currency count (SUM of money: pushdown/money-aggregates.ts)
      // is made here, by planning alone, as its $metadata was read by connect(): the target is the aggregate's requests
      await conn.explain(BIG_AGGREGATE);
      const auto = await measure(big, conn, BIG_AGGREGATE);
      figures['200,000-row date-bucketed aggregate'] = { sql: BIG_AGGREGATE, auto };
      checks.push(atMost('200,000-row date-bucketed aggregate: requests', auto.requests, 10, 'requests', `${auto.rows} rows read for ${auto.resultRows} groups`));
      for (const [kind, sql] of BIG_SPLITS) {
        const measured = await measure(big, conn, sql);
        figures[kind] = { sql, auto: measured };
        // the last resort would read every row: 200,000 in 40 pages
        checks.push(atMost(`${kind}: rows read beyond the result`, measured.rows - measured.resultRows, PAGE, 'rows', `${measured.requests} requests`));
      }
    } finally {
      await conn.close();
    }
  } finally {
    await big.close();
  }
  return { name: 'pushdown', figures, checks };
}
