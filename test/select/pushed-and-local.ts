/**
 * One emulator and two connections to it, for tests that compare a statement pushed down (Remote
 * Language=OData) with the same statement run with push-down off, and read the requests it sent.
 * Call `usePushedAndLocal()` at the top of a test file; the bindings below are live once it ran.
 */
import { afterAll, beforeAll } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection, type Row } from '../../src/index.js';

export let emulator: RunningEmulator;
export let pushed: Connection;
export let local: Connection;
let root: string;

export function usePushedAndLocal(): void {
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, rows: 80, fuzzData: true });
    root = new URL(emulator.url).pathname;
    pushed = await connect(`Url=${emulator.url};Remote Language=OData`);
    local = await connect(`Url=${emulator.url};Pushdown=false`);
  });
  afterAll(async () => {
    await pushed?.close();
    await local?.close();
    await emulator?.close();
  });
}

/**
 * the requests sent since the emulator had received `before`, as paths below the service root,
 * decoded; without the org's currency count, read once per connection (pushdown/money-aggregates.ts)
 */
export function sentSince(before: number): string[] {
  return emulator.requests().slice(before).map((r) => decodeURIComponent(r.url.slice(root.length))).filter((url) => !url.startsWith('transactioncurrencies?'));
}

/** the rows with push-down on (and the requests it sent) and off */
export async function both(sql: string): Promise<{ rows: Row[]; expected: Row[]; sent: string[] }> {
  const before = emulator.requests().length;
  const result = await pushed.query(sql);
  const sent = sentSince(before);
  const expected = (await local.query(sql)).rows;
  return { rows: result.rows, expected, sent };
}
