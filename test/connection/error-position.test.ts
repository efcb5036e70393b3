/**
 * Unknown names are reported with their position in the statement, so the CLI can put a caret under
 * them and pgwire can send it; T-SQL ASTs carry no locations, so the position comes from the text.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, DynasqlError, type Connection } from '../../src/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';

let emulator: RunningEmulator;
let conn: Connection;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 5 });
  conn = await connect(`Organization URL=${emulator.url}`);
});

afterAll(async () => {
  await conn?.close();
  await emulator?.close();
});

async function failure(run: () => Promise<unknown>): Promise<DynasqlError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof DynasqlError) return error;
    throw error;
  }
  throw new Error('expected the statement to fail');
}

it('places an unknown column, qualified or not, at its line and column', async () => {
  const error = await failure(() => conn.query('SELECT name,\n       a.revenu\nFROM account a'));
  expect(error.code).toBe('DYNASQL_ERR_UNKNOWN_COLUMN');
  expect(error.message).toContain("Did you mean 'revenue'?");
  expect(error.position).toMatchObject({ line: 2, column: 10 });
});

it('places an unknown table, in query, stream and explain alike', async () => {
  const sql = 'SELECT name FROM acount';
  for (const run of [() => conn.query(sql), () => conn.explain(sql), async () => { for await (const _ of conn.stream(sql)) { /* drain */ } }]) {
    const error = await failure(run);
    expect(error.code).toBe('DYNASQL_ERR_UNKNOWN_TABLE');
    expect(error.position).toEqual({ offset: 17, line: 1, column: 18 });
  }
});

it('places an unknown column of a write', async () => {
  const error = await failure(() => conn.query("INSERT INTO account (name, revnue) VALUES ('x', 1)"));
  expect(error.code).toBe('DYNASQL_ERR_UNKNOWN_COLUMN');
  expect(error.position).toMatchObject({ line: 1, column: 28 });
});
