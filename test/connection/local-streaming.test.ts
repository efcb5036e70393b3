/**
 * Local steps stream: a projection over a join hands out its first rows long before the last could be
 * computed, and the engine works within the Local Memory Limit, spilling to the Local Temp Directory
 * (created on demand, removed at close) or failing with DYNASQL_ERR_LOCAL_MEMORY when it cannot.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { resolveOptions } from '../../src/config/index.js';
import { connect } from '../../src/index.js';

let emulator: RunningEmulator;
const scratch = mkdtempSync(join(tmpdir(), 'dynasql-local-streaming-'));

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 1000 });
});

afterAll(async () => {
  await emulator?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** every pair of accounts in name order: 499,500 rows, about 20 MB to sort */
const PAIRS = 'SELECT a.name AS a, b.name AS b FROM account a JOIN account b ON a.name < b.name';

describe('local steps', () => {
  it('stream a projection over a join: the first rows of 166 million arrive, and stopping ends the statement', async () => {
    const conn = await connect(`Url=${emulator.url}`);
    try {
      const rows: unknown[] = [];
      for await (const row of conn.stream(`${PAIRS} JOIN account c ON b.name < c.name`)) {
        rows.push(row);
        if (rows.length === 5000) break;
      }
      expect(rows).toHaveLength(5000);
      expect((await conn.query('SELECT COUNT(*) AS n FROM account a JOIN account b ON a.name = b.name')).rows).toEqual([{ n: 1000 }]);
    } finally {
      await conn.close();
    }
  });

  it('spill to the Local Temp Directory under a low Local Memory Limit, which is removed at close', async () => {
    const spill = join(scratch, 'spill');
    const conn = await connect(`Url=${emulator.url};Local Memory Limit=64MB;Local Temp Directory=${spill}`);
    let spilled = 0;
    const watch = setInterval(() => {
      if (existsSync(spill)) spilled = Math.max(spilled, readdirSync(spill).length);
    }, 20);
    try {
      let count = 0;
      let last = '';
      for await (const row of conn.stream(`${PAIRS} ORDER BY b.name DESC, a.name DESC`)) {
        count++;
        last = String(row.a);
      }
      expect(count).toBe(499_500);
      expect(last).toBe((await conn.query('SELECT TOP 1 name FROM account ORDER BY name')).rows[0]!.name);
    } finally {
      clearInterval(watch);
      await conn.close();
    }
    expect(spilled).toBeGreaterThan(0);
    expect(existsSync(spill)).toBe(false);
  }, 60_000);

  it('fail with DYNASQL_ERR_LOCAL_MEMORY when the limit is too low to work at all', async () => {
    const conn = await connect(`Url=${emulator.url};Local Memory Limit=4MB;Local Temp Directory=${join(scratch, 'small')}`);
    try {
      await expect(conn.query(`${PAIRS} ORDER BY b.name, a.name`)).rejects.toMatchObject({ code: 'DYNASQL_ERR_LOCAL_MEMORY', message: expect.stringContaining('Local Memory Limit') });
    } finally {
      await conn.close();
    }
  });

  it('read the two settings', () => {
    const options = resolveOptions('Url=http://127.0.0.1:5555;Auth Scheme=None;Local Memory Limit=2 gb;Local Temp Directory=/var/tmp/x');
    expect([options.localMemoryLimit, options.localTempDirectory]).toEqual(['2GB', '/var/tmp/x']);
    expect(() => resolveOptions('Url=http://127.0.0.1:5555;Auth Scheme=None;Local Memory Limit=lots')).toThrow(/Local Memory Limit.*512MB/);
  });
});
