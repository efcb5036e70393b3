/**
 * Change tracking (issue 19): the emulator's `Prefer: odata.track-changes` and delta links as the
 * documentation describes them, `conn.changes()` over them, and `SELECT … FROM changes('account', @token)`
 * in both dialects. One emulator with a clock the tests move (token expiry), one with a schema where two
 * tables are not tracked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynasqlError } from '../../src/errors/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { DATAVERSE_EDMX } from '../../src/emulator/metadata/dataverse-edmx.js';
import { connect, type ChangeRecord, type Connection } from '../../src/index.js';
import { errorOf, get, send } from '../emulator/helpers.js';
import { instantClock } from '../support/instant-clock.js';

let emu: RunningEmulator;
let conn: Connection;
/** added to the emulator's clock: days pass without waiting */
let clockOffset = 0;
const DAY = 86_400_000;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rows: 12, now: () => new Date(Date.now() + clockOffset), changeRetentionDays: 7 });
  // retries enough for the faults below, their backoff not waited for
  conn = await connect({ organizationUrl: emu.url, maxRetries: 10, clock: instantClock() });
});
afterAll(async () => {
  await conn?.close();
  await emu?.close();
});

async function collect(records: AsyncIterable<ChangeRecord>): Promise<{ upserts: Map<string, Record<string, unknown>>; deletes: string[]; token: string; order: string[] }> {
  const upserts = new Map<string, Record<string, unknown>>();
  const deletes: string[] = [];
  const order: string[] = [];
  let token = '';
  for await (const record of records) {
    expect(token).toBe(''); // nothing after the end record
    if (record.kind === 'upsert') {
      expect(upserts.has(record.key)).toBe(false);
      upserts.set(record.key, record.row);
    } else if (record.kind === 'delete') deletes.push(record.key);
    else token = record.token;
    order.push(record.kind);
  }
  expect(token).not.toBe('');
  return { upserts, deletes, token, order };
}

const tokenOf = (deltaLink: string) => new URL(deltaLink).searchParams.get('$deltatoken')!;

describe('the emulator (documented shapes)', () => {
  it('answers a tracked read page by page, the delta link on the last page only, and Preference-Applied', async () => {
    const headers = { Prefer: 'odata.track-changes,odata.maxpagesize=5' };
    const first = await get(`${emu.url}accounts?$select=name`, headers);
    expect(first.status).toBe(200);
    expect(first.headers['preference-applied']).toContain('odata.track-changes');
    expect(first.json['@odata.nextLink']).toBeDefined();
    expect(first.json['@odata.deltaLink']).toBeUndefined();
    let page = first;
    const names: string[] = first.json.value.map((r: { name: string }) => r.name);
    while (page.json['@odata.nextLink']) {
      page = await get(page.json['@odata.nextLink'], headers);
      names.push(...page.json.value.map((r: { name: string }) => r.name));
    }
    expect(names).toHaveLength(12);
    // the documented example's shape: <version>!<MM/dd/yyyy HH:mm:ss>, encoded with lower-case hex, `!` too
    expect(page.json['@odata.deltaLink']).toMatch(/accounts\?\$select=name&\$deltatoken=\d+%21\d\d%2f\d\d%2f\d{4}%20\d\d%3a\d\d%3a\d\d$/);
    expect(tokenOf(page.json['@odata.deltaLink'])).toMatch(/^\d+!\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d$/);
  });

  it('lists created and updated rows with their current values, then deleted ones as $deletedEntity, in a /$delta context', async () => {
    const initial = await get(`${emu.url}contacts?$select=firstname`, { Prefer: 'odata.track-changes' });
    const deltaLink: string = initial.json['@odata.deltaLink'];
    const [a, b] = initial.json.value as { contactid: string }[];
    expect((await send('PATCH', `${emu.url}contacts(${a!.contactid})`, { firstname: 'First' })).status).toBe(204);
    expect((await send('PATCH', `${emu.url}contacts(${a!.contactid})`, { firstname: 'Second' })).status).toBe(204);
    expect((await send('DELETE', `${emu.url}contacts(${b!.contactid})`)).status).toBe(204);
    const created = await send('POST', `${emu.url}contacts`, { firstname: 'Brand', lastname: 'New' });
    const createdId = /\(([^)]+)\)/.exec(created.headers['odata-entityid']!)![1];
    const gone = await send('POST', `${emu.url}contacts`, { firstname: 'Short', lastname: 'Lived' });
    expect((await send('DELETE', gone.headers['odata-entityid']!)).status).toBe(204);

    const delta = await get(deltaLink);
    expect(delta.status).toBe(200);
    expect(delta.json['@odata.context']).toBe(`${emu.url}$metadata#contacts(firstname)/$delta`);
    const value = delta.json.value as Record<string, unknown>[];
    // the updated row once, with its last value; the created one; then the deletes (a row created and deleted since too)
    expect(value.slice(0, 2).map((r) => [r.contactid, r.firstname])).toEqual([[a!.contactid, 'Second'], [createdId, 'Brand']]);
    expect(value.slice(2)).toEqual([
      { '@odata.context': `${emu.url}$metadata#contacts/$deletedEntity`, id: b!.contactid, reason: 'deleted' },
      { '@odata.context': `${emu.url}$metadata#contacts/$deletedEntity`, id: /\(([^)]+)\)/.exec(gone.headers['odata-entityid']!)![1], reason: 'deleted' },
    ]);
    expect((await get(`${emu.url}contacts/$count?$deltatoken=${encodeURIComponent(tokenOf(deltaLink))}`)).text).toBe('4');
    // nothing since: an empty value and a fresh delta link
    const quiet = await get(delta.json['@odata.deltaLink']);
    expect(quiet.json.value).toEqual([]);
    expect(quiet.json['@odata.deltaLink']).toContain('$deltatoken=');
  });

  it('never skips a change written between the pages of a delta: past the window, it comes in the next delta', async () => {
    const initial = await get(`${emu.url}quotes?$select=name`, { Prefer: 'odata.track-changes' });
    const [q1, q2, q3] = (initial.json.value as { quoteid: string }[]).map((r) => r.quoteid);
    for (const [id, name] of [[q1, 'one'], [q2, 'two'], [q3, 'three']] as const) await send('PATCH', `${emu.url}quotes(${id})`, { name });
    const page1 = await get(initial.json['@odata.deltaLink'], { Prefer: 'odata.maxpagesize=1' });
    expect(page1.json.value.map((r: { name: string }) => r.name)).toEqual(['one']);
    // q2, not yet handed out, changes again (its change leaves this delta's window); q1, handed out, is deleted
    await send('PATCH', `${emu.url}quotes(${q2})`, { name: 'two again' });
    expect((await send('DELETE', `${emu.url}quotes(${q1})`)).status).toBe(204);
    const rest: Record<string, unknown>[] = [];
    let page = page1;
    while (page.json['@odata.nextLink']) {
      page = await get(page.json['@odata.nextLink'], { Prefer: 'odata.maxpagesize=1' });
      rest.push(...page.json.value);
    }
    expect(rest.map((r) => r.name)).toEqual(['three']);
    const next = await get(page.json['@odata.deltaLink']);
    expect(next.json.value.map((r: { name?: string; id?: string }) => r.name ?? `deleted ${r.id}`)).toEqual(['two again', `deleted ${q1}`]);
  });

  it('refuses $filter, $orderby, $expand and $top with the documented message', async () => {
    for (const option of ['$filter=name eq \'x\'', '$orderby=name', '$expand=primarycontactid($select=fullname)', '$top=2']) {
      const reply = await get(`${emu.url}accounts?$select=name&${option}`, { Prefer: 'odata.track-changes' });
      expect(reply.status).toBe(400);
      const name = option.slice(0, option.indexOf('='));
      expect(errorOf(reply)?.message).toBe(`The "${name}" query parameter isn't supported when Change Tracking is enabled.`);
    }
  });

  it('refuses a token older than the retention, an unknown one, and those issued before a reset with 0x80044352', async () => {
    const initial = await get(`${emu.url}leads?$select=subject`, { Prefer: 'odata.track-changes' });
    const deltaLink: string = initial.json['@odata.deltaLink'];
    expect((await get(deltaLink)).status).toBe(200);
    clockOffset = 8 * DAY;
    try {
      const expired = await get(deltaLink);
      expect(expired.status).toBe(400);
      expect(errorOf(expired)).toEqual({ code: '0x80044352', message: 'Version stamp associated with the client has expired. Please perform a full sync.' });
    } finally {
      clockOffset = 0;
    }
    for (const token of ['garbage', '999999999!01/01/2030 00:00:00']) {
      expect(errorOf(await get(`${emu.url}leads?$select=subject&$deltatoken=${encodeURIComponent(token)}`))?.code).toBe('0x80044352');
    }
    // the seed comes back: the log starts again, and tokens from before name changes that are gone
    emu.reset();
    expect(errorOf(await get(deltaLink))?.code).toBe('0x80044352');
    const fresh = await get(`${emu.url}leads?$select=subject`, { Prefer: 'odata.track-changes' });
    expect((await get(fresh.json['@odata.deltaLink'])).json.value).toEqual([]);
    // the log forgotten, the data kept
    expect((await fetch(`${emu.origin}/_emulator/expire-change-tokens`, { method: 'POST' })).status).toBe(204);
    expect(errorOf(await get(fresh.json['@odata.deltaLink']))?.code).toBe('0x80044352');
    expect((await get(`${emu.url}leads?$select=subject`)).json.value).toHaveLength(fresh.json.value.length);
  });

  it('logs writes inside a $batch change set, and nothing of one rolled back', async () => {
    const initial = await get(`${emu.url}tasks?$select=subject`, { Prefer: 'odata.track-changes' });
    const boundary = 'batch_1';
    const part = (subject: string, id: string) => [
      '--changeset_1', 'Content-Type: application/http', 'Content-Transfer-Encoding: binary', `Content-ID: ${subject}`, '',
      'POST tasks HTTP/1.1', 'Content-Type: application/json', '', JSON.stringify({ subject, activityid: id }), '',
    ].join('\r\n');
    const batch = (parts: string[]) => [`--${boundary}`, 'Content-Type: multipart/mixed; boundary=changeset_1', '', ...parts, '--changeset_1--', `--${boundary}--`, ''].join('\r\n');
    const post = (body: string) => fetch(`${emu.url}$batch`, { method: 'POST', headers: { 'Content-Type': `multipart/mixed; boundary=${boundary}` }, body });
    const id = '0c1f4a56-1111-4000-8000-00000000a001';
    expect((await post(batch([part('kept', id)]))).status).toBe(200);
    // the second create repeats the key: the whole change set is rolled back, the first create with it
    const failed = await post(batch([part('undone', '0c1f4a56-1111-4000-8000-00000000a002'), part('again', id)]));
    expect(failed.status).toBeGreaterThanOrEqual(400);
    const delta = await get(initial.json['@odata.deltaLink']);
    expect(delta.json.value.map((r: { subject: string }) => r.subject)).toEqual(['kept']);
  });
});

describe('conn.changes()', () => {
  it('reads every row, then only what changed, typed as query() rows, paging inside the delta', async () => {
    const columns = ['accountid', 'name', 'revenue', 'numberofemployees', 'createdon'];
    const initial = await collect(conn.changes('account', { columns, pageSize: 4 }));
    const expected = await conn.query(`SELECT ${columns.join(', ')} FROM account`);
    expect(initial.upserts.size).toBe(12);
    expect(initial.deletes).toEqual([]);
    for (const row of expected.rows) expect(initial.upserts.get(row.accountid as string)).toEqual(row);

    await conn.query("INSERT INTO account (name, revenue, numberofemployees) VALUES ('Delta One', 12.5, 3), ('Delta Two', 7, 4)");
    await conn.query("UPDATE account SET revenue = 99.25 WHERE accountid = @id", { id: expected.rows[0]!.accountid });
    await conn.query('DELETE FROM account WHERE accountid = @id', { id: expected.rows[1]!.accountid });
    const delta = await collect(conn.changes('account', { columns, since: initial.token, pageSize: 1 }));
    expect(delta.order).toEqual(['upsert', 'upsert', 'upsert', 'delete', 'end']);
    expect([...delta.upserts.values()].map((r) => [r.name, r.revenue])).toEqual([['Delta One', '12.5'], ['Delta Two', '7'], [expected.rows[0]!.name, '99.25']]);
    expect(delta.deletes).toEqual([expected.rows[1]!.accountid]);
    expect(delta.upserts.get(expected.rows[0]!.accountid as string)!.createdon).toBeInstanceOf(Date);

    const quiet = await collect(conn.changes('account', { columns, since: delta.token }));
    expect(quiet.order).toEqual(['end']);
  });

  it('gives the key of each record even when the columns leave it out, and only the columns asked for', async () => {
    const { upserts } = await collect(conn.changes('account', { columns: ['name'] }));
    for (const [key, row] of upserts) {
      expect(key).toMatch(/^[0-9a-f-]{36}$/);
      expect(Object.keys(row)).toEqual(['name']);
    }
  });

  it('fails an expired or unknown token with DYNASQL_ERR_CHANGE_TOKEN_EXPIRED', async () => {
    const { token } = await collect(conn.changes('lead', { columns: ['subject'] }));
    clockOffset = 30 * DAY;
    try {
      await expect(collect(conn.changes('lead', { columns: ['subject'], since: token }))).rejects.toMatchObject({ code: 'DYNASQL_ERR_CHANGE_TOKEN_EXPIRED', serviceCode: '0x80044352' });
    } finally {
      clockOffset = 0;
    }
    await expect(collect(conn.changes('lead', { since: 'not a token' }))).rejects.toMatchObject({ code: 'DYNASQL_ERR_CHANGE_TOKEN_EXPIRED' });
  });

  it('refuses bad arguments before any request', async () => {
    const refused = async (run: () => AsyncIterable<ChangeRecord>, code: string) => {
      await expect(collect(run())).rejects.toMatchObject({ code });
    };
    await refused(() => conn.changes('acount'), 'DYNASQL_ERR_UNKNOWN_TABLE');
    await refused(() => conn.changes('account', { columns: ['nmae'] }), 'DYNASQL_ERR_UNKNOWN_COLUMN');
    await refused(() => conn.changes('account', { since: '' }), 'DYNASQL_ERR_PARAMETER');
    await refused(() => conn.changes('account', { pageSize: 0 }), 'DYNASQL_ERR_PARAMETER');
    await refused(() => conn.changes('account', { columns: [] }), 'DYNASQL_ERR_PARAMETER');
  });

  it('stops with DYNASQL_ERR_CANCELLED when its signal aborts', async () => {
    const stop = new AbortController();
    const run = async () => {
      for await (const record of conn.changes('account', { columns: ['name'], pageSize: 2, signal: stop.signal })) if (record.kind === 'upsert') stop.abort();
    };
    await expect(run()).rejects.toMatchObject({ code: 'DYNASQL_ERR_CANCELLED' });
    // a caller that stops early stops the page read ahead too; the connection reads on
    for await (const record of conn.changes('account', { columns: ['name'], pageSize: 2 })) if (record.kind === 'upsert') break;
    expect((await collect(conn.changes('account', { columns: ['name'] }))).upserts.size).toBeGreaterThan(0);
  });
});

describe('changes() in SQL', () => {
  it('lists the records with change_kind and change_token, the last row of kind end (T-SQL)', async () => {
    const initial = await conn.query("SELECT change_kind, change_token, opportunityid, name FROM changes('opportunity', NULL)");
    expect(initial.columns.map((c) => [c.name, c.type])).toEqual([['change_kind', 'nvarchar'], ['change_token', 'nvarchar'], ['opportunityid', 'uniqueidentifier'], ['name', 'nvarchar']]);
    const end = initial.rows.at(-1)!;
    expect(end).toMatchObject({ change_kind: 'end', opportunityid: null, name: null });
    expect(new Set(initial.rows.map((r) => r.change_token))).toEqual(new Set([end.change_token]));
    expect(initial.rows.slice(0, -1).every((r) => r.change_kind === 'upsert')).toBe(true);

    const [first] = initial.rows as { opportunityid: string }[];
    await conn.query('DELETE FROM opportunity WHERE opportunityid = @id', { id: first!.opportunityid });
    const delta = await conn.query("SELECT change_kind, opportunityid, name FROM changes('opportunity', @token) WHERE change_kind <> 'end'", { token: end.change_token });
    expect(delta.rows).toEqual([{ change_kind: 'delete', opportunityid: first!.opportunityid, name: null }]);
    // omitted token: the initial read
    expect((await conn.query("SELECT COUNT(*) AS n FROM changes('opportunity') WHERE change_kind = 'upsert'")).rows).toEqual([{ n: initial.rows.length - 2 }]);
  });

  it('reads the same in the PostgreSQL dialect, the token as $1', async () => {
    const pg = { dialect: 'postgresql' } as const;
    const initial = await conn.query("SELECT change_token FROM changes('incident', NULL) WHERE change_kind = 'end'", [], pg);
    const token = initial.rows[0]!.change_token as string;
    await conn.query("INSERT INTO incident (title) VALUES ('Printer on fire')", [], pg);
    const delta = await conn.query("SELECT change_kind, title FROM changes('incident', $1) ORDER BY change_kind DESC", [token], pg);
    expect(delta.rows).toEqual([{ change_kind: 'upsert', title: 'Printer on fire' }, { change_kind: 'end', title: null }]);
  });

  it('shows the request under EXPLAIN without sending it, and refuses other forms with a code', async () => {
    const before = emu.requests().length;
    expect(await conn.explain("SELECT name FROM changes('account', @t)", { t: '1!01/01/2026 00:00:00' })).toMatch(/^Changes {3}GET .*accounts\?\$select=.*&\$deltatoken=1!01%2F01%2F2026%2000%3A00%3A00 → local table changes#1/);
    expect(emu.requests().length).toBe(before);
    await expect(conn.query("SELECT * FROM changes('account', NULL, 5)")).rejects.toMatchObject({ code: 'DYNASQL_ERR_UNSUPPORTED_SQL' });
    await expect(conn.query('SELECT * FROM changes(name)')).rejects.toMatchObject({ code: 'DYNASQL_ERR_UNSUPPORTED_SQL' });
    await expect(conn.query('SELECT * FROM changes(5)')).rejects.toMatchObject({ code: 'DYNASQL_ERR_TYPE' });
    await expect(conn.query("SELECT * FROM changes('account', 'stale')")).rejects.toMatchObject({ code: 'DYNASQL_ERR_CHANGE_TOKEN_EXPIRED' });
  });
});

describe('tables without change tracking', () => {
  let plain: RunningEmulator;
  let plainConn: Connection;
  beforeAll(async () => {
    // competitors loses its annotation (the emulator does not track it, the catalog does not know);
    // uoms says Supported=false (the catalog refuses before sending anything)
    const annotation = /(<EntitySet Name="(\w+)"[\s\S]*?)<Annotation Term="Org\.OData\.Capabilities\.V1\.ChangeTracking">\s*<Record>\s*<PropertyValue Property="Supported" Bool="true"\/>\s*<\/Record>\s*<\/Annotation>/g;
    const xml = DATAVERSE_EDMX.replace(annotation, (whole, head: string, set: string) => {
      if (set === 'competitors') return head;
      if (set === 'uoms') return whole.replace(/Bool="true"(\/>\s*<\/Record>\s*<\/Annotation>)$/, 'Bool="false"$1');
      return whole;
    });
    expect(xml).not.toBe(DATAVERSE_EDMX);
    plain = await startEmulator({ port: 0, rows: 3, metadataXml: xml });
    plainConn = await connect(`Url=${plain.url}`);
  });
  afterAll(async () => {
    await plainConn?.close();
    await plain?.close();
  });

  it('answers the documented 0x80072491, which conn.changes() reports as DYNASQL_ERR_CHANGE_TRACKING_OFF', async () => {
    const reply = await get(`${plain.url}competitors?$select=name`, { Prefer: 'odata.track-changes' });
    expect(reply.status).toBe(400);
    expect(errorOf(reply)).toEqual({ code: '0x80072491', message: "Entity competitor isn't enabled for change tracking." });
    await expect(collect(plainConn.changes('competitor'))).rejects.toMatchObject({ code: 'DYNASQL_ERR_CHANGE_TRACKING_OFF', serviceCode: '0x80072491' });
    await expect(plainConn.query("SELECT * FROM changes('competitor')")).rejects.toMatchObject({ code: 'DYNASQL_ERR_CHANGE_TRACKING_OFF' });
  });

  it('refuses a table the $metadata marks untracked without a request', async () => {
    const before = plain.requests().length;
    const error = await collect(plainConn.changes('uom')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DynasqlError);
    expect(error).toMatchObject({ code: 'DYNASQL_ERR_CHANGE_TRACKING_OFF' });
    expect(plain.requests().length).toBe(before);
  });
});

describe('under faults', () => {
  const setFaults = async (faults: Record<string, number>) => {
    const reply = await fetch(`${emu.origin}/_emulator/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
    expect(reply.status).toBeLessThan(300);
  };

  it('gives exactly the changes once with resets, 5xx and truncated bodies', async () => {
    const sturdy = conn;
    {
      const columns = ['productid', 'name'];
      const clean = await collect(sturdy.changes('product', { columns, pageSize: 3 }));
      await sturdy.query("INSERT INTO product (name, productnumber) VALUES ('Faulty A', 'FA-1'), ('Faulty B', 'FB-1')");
      const [victim] = [...clean.upserts.keys()];
      await sturdy.query('DELETE FROM product WHERE productid = @id', { id: victim });
      const expected = await collect(sturdy.changes('product', { columns, since: clean.token, pageSize: 1 }));
      for (const seed of [1, 2, 3]) {
        await setFaults({ seed, resetBeforeResponseRate: 0.15, serverErrorRate: 0.15, truncateBodyRate: 0.15 });
        try {
          const initial = await collect(sturdy.changes('product', { columns, pageSize: 3 }));
          expect([...initial.upserts.keys()].sort()).toEqual([...(await sturdy.query('SELECT productid FROM product')).rows.map((r) => r.productid)].sort());
          const delta = await collect(sturdy.changes('product', { columns, since: clean.token, pageSize: 1 }));
          expect([...delta.upserts]).toEqual([...expected.upserts]);
          expect(delta.deletes).toEqual(expected.deletes);
        } finally {
          await setFaults({});
        }
      }
      expect((await (await fetch(`${emu.origin}/_emulator/stats`)).json() as Record<string, number>).faultsInjected).toBeGreaterThan(0);
    }
  });
});
