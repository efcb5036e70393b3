/**
 * `dynasql sync` when things go wrong: the emulator resetting connections, answering 5xx and cutting
 * bodies short (the connection retries; the target still equals the emulator), and the sync process
 * itself killed with SIGKILL at random points of its runs (the initial copy, batches of changes) and
 * started again: after the run that completes, the DuckDB file equals the emulator row for row, with
 * no row lost, none left over and none twice.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/index.js';
import type { Connection } from '../../src/index.js';
import { changeRows, connectionString, connectTo, expectInSync, faultsInjected, setFaults, startSyncEmulator, syncCli, TABLES } from './sync-fixture.js';

const BIN = join(import.meta.dirname, '../../bin/dynasql.js');

let emulator: RunningEmulator;
let conn: Connection;
let dir: string;

beforeAll(async () => {
  emulator = await startSyncEmulator();
  conn = await connectTo(emulator);
  dir = mkdtempSync(join(tmpdir(), 'dynasql-sync-crash-'));
});

afterAll(async () => {
  await setFaults(emulator, {}).catch(() => undefined);
  await conn?.close();
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** small pages and batches: many requests and many target transactions per run, so faults and kills land inside runs */
const SMALL = ';Page Size=3';

describe('dynasql sync under faults and kills', () => {
  it('gives the same rows with ~5 % resets, 5xx answers and truncated bodies', async () => {
    const file = join(dir, 'faults.duckdb');
    const args = ['-c', connectionString(emulator, SMALL), '--to', file, '--batch-size', '4', ...TABLES];
    let injected = 0;
    for (const seed of [11, 12]) {
      await setFaults(emulator, { seed, resetBeforeResponseRate: 0.05, serverErrorRate: 0.05, truncateBodyRate: 0.05 });
      const run = await syncCli(args);
      injected += await faultsInjected(emulator);
      await setFaults(emulator, {});
      expect(run.code, run.stderr).toBe(0);
      await expectInSync(conn, 'duckdb', file);
      await changeRows(conn);
    }
    expect(injected).toBeGreaterThan(0);
  }, 60_000);

  it('gives the same rows when the sync process is killed at random points and run again', async () => {
    const file = join(dir, 'killed.duckdb');
    const args = [BIN, 'sync', '-c', connectionString(emulator, SMALL), '--to', file, '--batch-size', '2', ...TABLES];
    // a fixed sequence of kill delays (ms after the run starts reading), the first inside the initial copy
    const delays = [150, 600, 350];
    // every answer waits a little, so a run lasts long enough to be killed inside
    await setFaults(emulator, { latencyMs: 15 });
    let kills = 0;
    try {
      for (const delay of delays) {
        const killed = await new Promise<boolean>((resolve, reject) => {
          const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
          let timer: NodeJS.Timeout | undefined;
          child.stderr.on('data', (chunk: Buffer) => {
            // reading starts once the run has named its target
            if (timer === undefined && chunk.toString().includes('dynasql sync:')) timer = setTimeout(() => child.kill('SIGKILL'), delay);
          });
          child.once('error', reject);
          child.once('exit', (_code, signal) => {
            clearTimeout(timer);
            resolve(signal === 'SIGKILL');
          });
        });
        if (killed) kills++;
        await changeRows(conn);
      }
    } finally {
      await setFaults(emulator, {});
    }
    // a run that finished before its kill proves nothing: most must have been cut short
    expect(kills).toBeGreaterThanOrEqual(2);
    const last = await syncCli(args.slice(2));
    expect(last.code, last.stderr).toBe(0);
    await expectInSync(conn, 'duckdb', file);
  }, 120_000);
});
