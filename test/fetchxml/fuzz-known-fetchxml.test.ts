/**
 * The randomized differential test's classes found with Remote Language=FetchXML (test/fuzz/KNOWN.md,
 * the X rows), each statement as the fuzzer wrote it, against the emulator's fuzz data: the rows of
 * the FetchXML connection equal those of push-down off, and the FetchXML request is the one expected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';
import { asMultiset } from '../select/compare-rows.js';

let emulator: RunningEmulator;
let fetch: Connection;
let local: Connection;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 300, fuzzData: true });
  fetch = await connect(`Url=${emulator.url};Remote Language=FetchXML`);
  local = await connect(`Url=${emulator.url};Pushdown=false`);
});

afterAll(async () => {
  await fetch?.close();
  await local?.close();
  await emulator?.close();
});

/** the statement's rows by FetchXML (checked equal to push-down off's) and its decoded FetchXML requests */
async function viaFetchXml(sql: string): Promise<{ rows: unknown[]; fetches: string[] }> {
  const before = emulator.requests().length;
  const rows = (await fetch.query(sql)).rows;
  const fetches = emulator.requests().slice(before).map((r) => decodeURIComponent(r.url)).filter((u) => u.includes('fetchXml='));
  expect(asMultiset(rows)).toEqual(asMultiset((await local.query(sql)).rows));
  return { rows, fetches };
}

describe('KNOWN X1: two columns of an outer-joined table compared (valueof names the link)', () => {
  it('SELECT t1.customertypecode AS c0, t1.customertypecodename AS c1 FROM contact t0 LEFT JOIN account t1 ON t0.creditlimit = t1.creditlimit WHERE t1.creditlimit = t1.revenue', async () => {
    const { fetches } = await viaFetchXml('SELECT t1.customertypecode AS c0, t1.customertypecodename AS c1 FROM contact t0 LEFT JOIN account t1 ON t0.creditlimit = t1.creditlimit WHERE t1.creditlimit = t1.revenue');
    expect(fetches).toHaveLength(1);
    expect(fetches[0]).toContain('<condition entityname="l1" attribute="creditlimit" operator="eq" valueof="l1.revenue"/>');
  });

  it('SELECT t0.familystatuscode AS c0, t1.customertypecode AS c1, t0.creditlimit AS c2 FROM contact t0 LEFT JOIN account t1 ON t0.jobtitle = t1.description WHERE t1.accountid = t1.parentaccountid', async () => {
    const { fetches } = await viaFetchXml('SELECT t0.familystatuscode AS c0, t1.customertypecode AS c1, t0.creditlimit AS c2 FROM contact t0 LEFT JOIN account t1 ON t0.jobtitle = t1.description WHERE t1.accountid = t1.parentaccountid');
    expect(fetches[0]).toContain('valueof="l1.parentaccountid"');
  });

  it('an outer-joined pair that does match: WHERE l.revenue >= l.creditlimit keeps the rows push-down off keeps', async () => {
    const { rows } = await viaFetchXml('SELECT t0.contactid, t1.accountid FROM contact t0 LEFT JOIN account t1 ON t1.accountid = t0.parentcustomerid WHERE t1.revenue >= t1.creditlimit');
    expect(rows.length).toBeGreaterThan(0);
  });
});
