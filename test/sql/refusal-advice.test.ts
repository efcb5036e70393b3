/**
 * Every refusal names what is supported instead (issue 16): each statement below is refused with
 * DYNASQL_ERR_UNSUPPORTED_SQL, and its message carries the advice, as a user would meet it through
 * conn.query against the emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';

let emulator: RunningEmulator;
let conn: Connection;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 3 });
  conn = await connect(`Url=${emulator.origin}`);
});
afterAll(async () => {
  await conn.close();
  await emulator.close();
});

const REFUSALS: [sql: string, advice: RegExp][] = [
  ['CREATE TABLE t (id int)', /CREATE statements: dynasql does not change the schema.*It runs SELECT .*INSERT, UPSERT, UPDATE, DELETE, EXEC \/ CALL/],
  ['DROP TABLE account', /DROP statements: dynasql does not change the schema.*It runs SELECT/],
  ['CREATE TABLE #picks (id int)', /CREATE statements: .*Temporary tables \(#name, CREATE TEMP TABLE\) are not kept by the library or the REPL/],
  ['SELECT name INTO #picks FROM account', /SELECT … INTO, which creates a table.*temporary tables \(SELECT … INTO #name\) are not kept by the library or the REPL/],
  ['ALTER TABLE account ADD x int', /ALTER statements: .*It runs SELECT/],
  ['TRUNCATE TABLE account', /TRUNCATE statements; write DELETE FROM table WHERE/],
  ['DECLARE @x int', /DECLARE: dynasql has no variables; pass values as parameters/],
  ['USE other_org', /USE: one connection is one org; connect with another Organization URL/],
  ['MERGE INTO account a USING contact c ON a.name = c.fullname WHEN MATCHED THEN UPDATE SET name = c.fullname', /MERGE; write `UPSERT INTO table/],
  ['SELECT name INTO newtable FROM account', /SELECT … INTO.*write INSERT INTO table \(columns\) SELECT/],
  ['SELECT TOP 10 PERCENT name FROM account', /TOP … PERCENT; use TOP \(n\) or OFFSET … FETCH/],
  ['SELECT a.name FROM account a JOIN contact c USING (name)', /JOIN … USING; write JOIN … ON/],
  ['SELECT name FROM account ORDER BY name OFFSET 0 ROWS FETCH NEXT 2 ROWS WITH TIES', /WITH TIES; keep the ties with RANK\(\) OVER/],
  ['SELECT name FROM account WHERE (name, accountid) = (\'a\', \'b\')', /a row value; compare column by column/],
  ['SELECT name COLLATE Latin1_General_CS_AS FROM account', /COLLATE.*case-insensitive collation; UPPER\(\) or LOWER\(\)/],
  ['SELECT name FROM account FOR JSON PATH', /FOR XML \/ FOR JSON.*shape them in the application/],
  ['SELECT name FROM account UNION SELECT fullname FROM contact INTERSECT SELECT name FROM account WITH (TABLOCK)', /table hint TABLOCK \(only NOLOCK and READUNCOMMITTED are accepted/],
];

describe('refusals name the alternative', () => {
  it('a window function without OVER shows the OVER clause to write', async () => {
    await expect(conn.query('SELECT ROW_NUMBER() FROM account')).rejects.toThrow(/ROW_NUMBER needs an OVER clause: ROW_NUMBER\(…\) OVER \(\[PARTITION BY …\] ORDER BY …\)/);
  });

  it('a #temp table read or written says the library keeps no temporary tables', async () => {
    for (const sql of ['SELECT * FROM #picks', 'INSERT INTO #picks (id) VALUES (1)']) {
      await expect(conn.query(sql), sql).rejects.toMatchObject({ code: 'DYNASQL_ERR_UNKNOWN_TABLE', message: expect.stringMatching(/Temporary tables \(#picks\) are not kept by the library or the REPL/) });
    }
  });

  for (const [sql, advice] of REFUSALS) {
    it(sql, async () => {
      const error = await conn.query(sql).then(
        () => undefined,
        (e: unknown) => e as { code?: string; message: string },
      );
      expect(error, 'the statement ran').toBeDefined();
      expect(error!.code).toBe('DYNASQL_ERR_UNSUPPORTED_SQL');
      expect(error!.message).toMatch(advice);
      expect(error!.message).not.toMatch(/only SELECT here/);
    });
  }
});
