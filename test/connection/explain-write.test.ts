/**
 * EXPLAIN of INSERT / UPSERT / UPDATE / DELETE (conn.explain() and the EXPLAIN statement): the plan
 * comes from the same lowering the write runs, and nothing is written — checked in the emulator's
 * request log over HTTP.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';

let emulator: RunningEmulator;
let conn: Connection;

const ID = '11111111-2222-4333-8444-555555555555';
const ID2 = '11111111-2222-4333-8444-666666666666';

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 30 });
  conn = await connect(`Url=${emulator.url};Page Size=50`);
});

afterAll(async () => {
  await conn?.close();
  await emulator?.close();
});

/** the requests the emulator logged, read over its HTTP endpoint */
async function logged(): Promise<{ method: string; url: string }[]> {
  const response = await request(`${emulator.origin}/_emulator/requests`);
  return (await response.body.json()) as { method: string; url: string }[];
}

/** runs `explain` and answers its text and every request the emulator received meanwhile */
async function explainSending(run: () => Promise<string>): Promise<{ text: string; sent: { method: string; url: string }[] }> {
  const before = (await logged()).length;
  const text = await run();
  const after = await logged();
  // the log read itself is not in the list it answers
  return { text, sent: after.slice(before) };
}

describe('EXPLAIN of a write', () => {
  it('a by-key UPDATE shows the read of which keys exist, then its PATCH, and sends nothing', async () => {
    const { text, sent } = await explainSending(() => conn.explain(`UPDATE account SET name = 'x' WHERE accountid = '${ID}'`));
    const lines = text.split('\n');
    expect(lines[0]).toBe('UPDATE: the rows are read first');
    expect(lines[1]).toBe(`Remote  GET ${emulator.url}accounts?$select=accountid&$filter=accountid%20eq%20${ID}`);
    expect(lines.at(-1)).toBe('then $batch of PATCH accounts(<key>), 1 operation per row, up to 1,000 per $batch');
    expect(sent).toEqual([]);
  });

  it('a by-key DELETE of two rows reads which exist, then deletes them in $batches', async () => {
    const { text, sent } = await explainSending(() => conn.explain(`DELETE FROM account WHERE accountid IN ('${ID}', '${ID2}')`));
    expect(text).toContain(ID2);
    expect(text.split('\n').at(-1)).toBe('then $batch of DELETE accounts(<key>), 1 operation per row, up to 1,000 per $batch');
    expect(sent).toEqual([]);
  });

  it('INSERT … VALUES shows its POST; EXPLAIN INSERT through query() answers plan rows', async () => {
    const result = await conn.query("EXPLAIN INSERT INTO account (name) VALUES ('Explained only')");
    expect(result.command).toBe('EXPLAIN');
    expect(result.rows.map((r) => r.plan)).toContain(`Write   POST ${emulator.url}accounts`);
    const { rowCount } = await conn.query("SELECT name FROM account WHERE name = 'Explained only'");
    expect(rowCount).toBe(0);
  });

  it('a WHERE-based UPDATE shows the key-reading SELECT\'s request, then the $batch, and sends nothing', async () => {
    const { text, sent } = await explainSending(() => conn.explain("UPDATE account SET description = 'x' WHERE name LIKE @p", { p: 'A%' }));
    const lines = text.split('\n');
    expect(lines[0]).toBe('UPDATE: the rows are read first');
    expect(lines[1]).toBe(`Remote  GET ${emulator.url}accounts?$select=accountid&$filter=startswith(name,%27A%27)`);
    expect(lines.at(-1)).toBe('then $batch of PATCH accounts(<key>), 1 operation per row, up to 1,000 per $batch');
    expect(sent).toEqual([]);
  });

  it('EXPLAIN DELETE … OPTION (ATOMIC) through stream() names the change set', async () => {
    const before = (await logged()).length;
    const lines: unknown[] = [];
    for await (const row of conn.stream("EXPLAIN DELETE FROM account WHERE name = 'nobody' OPTION (ATOMIC)")) lines.push(row.plan);
    expect(lines.at(-1)).toBe('then one $batch change set of DELETE accounts(<key>), 1 operation per row (all or nothing, at most 1,000 rows)');
    expect((await logged()).slice(before)).toEqual([]);
  });

  it('a read-only connection explains a write it would refuse to run', async () => {
    const readOnly = await connect(`Url=${emulator.url};Read Only=true`);
    try {
      expect(await readOnly.explain(`DELETE FROM account WHERE accountid = '${ID}'`)).toContain('DELETE accounts(<key>)');
      await expect(readOnly.query(`DELETE FROM account WHERE accountid = '${ID}'`)).rejects.toMatchObject({ code: 'DYNASQL_ERR_READ_ONLY_CONNECTION' });
    } finally {
      await readOnly.close();
    }
  });
});
