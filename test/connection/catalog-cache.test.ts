/**
 * The catalog is fetched once per org and cached on disk (`cacheDir`): a second connection starts
 * without asking for `$metadata` again. Without a `cacheDir`, a loopback service is fetched fresh.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect } from '../../src/index.js';

let emulator: RunningEmulator;
const cacheDir = mkdtempSync(join(tmpdir(), 'dynasql-catalog-'));

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, rows: 5 });
});

afterAll(async () => {
  await emulator?.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

const metadataRequests = () => emulator.requests().filter((r) => r.url.endsWith('/$metadata')).length;

describe('catalog loading', () => {
  it('caches $metadata on disk when given a cacheDir', async () => {
    const before = metadataRequests();
    const first = await connect({ organizationUrl: emulator.url, cacheDir });
    await first.close();
    const second = await connect({ organizationUrl: emulator.url, cacheDir });
    const result = await second.query('SELECT TOP 1 name FROM account');
    await second.close();
    expect(result.rowCount).toBe(1);
    expect(metadataRequests() - before).toBe(1);
    expect(readdirSync(cacheDir).filter((f) => f.startsWith('catalog-'))).toHaveLength(1);
  });

  it('fetches a loopback service fresh without a cacheDir', async () => {
    const before = metadataRequests();
    await (await connect(`Url=${emulator.url}`)).close();
    await (await connect(`Url=${emulator.url}`)).close();
    expect(metadataRequests() - before).toBe(2);
  });
});
