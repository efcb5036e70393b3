/**
 * A statement's signal may fire while DuckDB is still starting or connecting, before the statement
 * listens to it: an abort listener added to an aborted signal is never called, so the statement must
 * see the abort itself, or the query would run to its end.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { LocalStatement } from '../../src/local/engine.js';

describe('LocalStatement and its signal', () => {
  it('a signal aborted before the statement exists stops it at its first call', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    try {
      const controller = new AbortController();
      controller.abort(new Error('cancelled while connecting'));
      const statement = new LocalStatement(await instance.connect(), controller.signal, () => undefined);
      await expect(statement.call((c) => c.run('SELECT 1'))).rejects.toThrow('cancelled while connecting');
      await statement.end();
    } finally {
      instance.closeSync();
    }
  });

  it('a signal that fires later interrupts the call in flight', async () => {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    try {
      const controller = new AbortController();
      const statement = new LocalStatement(await instance.connect(), controller.signal, () => undefined);
      const running = statement.call((c) => c.run('SELECT COUNT(*) FROM range(100000) a, range(100000) b WHERE a.range + b.range = -1'));
      setTimeout(() => controller.abort(new Error('cancelled while running')), 100);
      // DuckDB answers 'Interrupted!'; the statement names the stop's reason instead
      await expect(running.catch((error: unknown) => { throw statement.failure(error); })).rejects.toThrow('cancelled while running');
      await statement.end();
    } finally {
      instance.closeSync();
    }
  });
});
