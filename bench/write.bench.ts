/**
 * Writing: 10,000 new contacts, with the emulator (its own process) holding every HTTP request for
 * 20 ms (`--fault-latency-ms 20`), as a remote service's round trip would.
 *
 * - dynasql: one `INSERT INTO contact (…) VALUES (…), (…), …` statement of 10,000 rows; the driver
 *   sends it as `$batch` change sets (up to the edition's batch size, a few in flight).
 * - naive way (the floor to beat): one POST per row with undici, one at a time. At 20 ms a row,
 *   10,000 rows take over 200 s, so a 500-row sample is timed and extrapolated linearly (each row
 *   is the same request; the figure says so).
 * - peer: DynamicsWebApi's batch (`startBatch`, 1,000 `create` calls, `executeBatch`) ten times.
 *
 * Every side's rows are counted back through the service afterwards.
 */
import { randomUUID } from 'node:crypto';
import { DynamicsWebApi } from 'dynamics-web-api';
import { request } from 'undici';
import { connect } from '../src/index.js';
import { spawnEmulator } from './lib/emulator-process.js';
import { round } from './lib/measure.js';
import { atLeast, type BenchResult } from './lib/result.js';

export interface WriteOptions {
  rows?: number;
  naiveSample?: number;
  latencyMs?: number;
}

export async function runWriteBench(options: WriteOptions = {}): Promise<BenchResult> {
  const rows = options.rows ?? 10_000;
  const sample = Math.min(rows, options.naiveSample ?? 500);
  const latencyMs = options.latencyMs ?? 20;
  const emulator = await spawnEmulator(['--rows', '10', '--fault-latency-ms', String(latencyMs)]);
  const conn = await connect(`Url=${emulator.url}`);
  const run = randomUUID().slice(0, 8);
  const count = async (tag: string) => Number((await conn.query(`SELECT COUNT(*) AS n FROM contact WHERE firstname = '${tag}'`)).rows[0]!.n);
  try {
    // dynasql: one multi-row INSERT
    const dynasqlTag = `dynasql-${run}`;
    const values = Array.from({ length: rows }, (_, i) => `('Bench ${i}', '${dynasqlTag}', 'bench${i}@example.com')`).join(',\n');
    const sql = `INSERT INTO contact (lastname, firstname, emailaddress1) VALUES ${values}`;
    const before = await requestCount(emulator.url);
    let started = performance.now();
    const inserted = await conn.query(sql);
    const dynasqlMs = performance.now() - started;
    const dynasqlRequests = (await requestCount(emulator.url)) - before;
    if (inserted.rowCount !== rows || (await count(dynasqlTag)) !== rows) throw new Error(`dynasql inserted ${inserted.rowCount} rows`);

    // naive: one POST per row, one at a time
    const naiveTag = `naive-${run}`;
    started = performance.now();
    for (let i = 0; i < sample; i++) {
      const response = await request(`${emulator.url}contacts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'odata-version': '4.0' },
        body: JSON.stringify({ lastname: `Bench ${i}`, firstname: naiveTag, emailaddress1: `bench${i}@example.com` }),
      });
      await response.body.dump();
      if (response.statusCode >= 300) throw new Error(`naive POST answered ${response.statusCode}`);
    }
    const naiveSampleMs = performance.now() - started;
    const naiveMs = (naiveSampleMs * rows) / sample;
    if ((await count(naiveTag)) !== sample) throw new Error('naive rows missing');

    // peer: DynamicsWebApi batches of 1,000
    const peerTag = `peer-${run}`;
    const peer = new DynamicsWebApi({ serverUrl: new URL(emulator.url).origin, dataApi: { version: '9.2' }, onTokenRefresh: async () => 'dummy-token' });
    started = performance.now();
    for (let offset = 0; offset < rows; offset += 1000) {
      peer.startBatch();
      for (let i = offset; i < Math.min(rows, offset + 1000); i++) {
        void peer.create({ collection: 'contacts', data: { lastname: `Bench ${i}`, firstname: peerTag, emailaddress1: `bench${i}@example.com` } });
      }
      await peer.executeBatch();
    }
    const peerMs = performance.now() - started;
    const peerRows = await count(peerTag);
    if (peerRows !== rows) throw new Error(`peer inserted ${peerRows} rows`);

    return {
      name: 'write',
      figures: {
        rows, latencyMs,
        dynasql: { ms: Math.round(dynasqlMs), requests: dynasqlRequests, rowsPerSecond: Math.round(rows / (dynasqlMs / 1000)) },
        naive: { sampleRows: sample, sampleMs: Math.round(naiveSampleMs), extrapolatedMs: Math.round(naiveMs), rowsPerSecond: Math.round(sample / (naiveSampleMs / 1000)), extrapolated: sample < rows },
        dynamicsWebApi: { ms: Math.round(peerMs), batches: Math.ceil(rows / 1000), rowsPerSecond: Math.round(rows / (peerMs / 1000)) },
      },
      checks: [
        atLeast('batched INSERT speed / one POST per row', round(naiveMs / dynasqlMs, 1), 20, '×', sample < rows ? `naive extrapolated from ${sample} rows` : undefined),
        { what: 'batched INSERT speed / DynamicsWebApi batch', value: round(peerMs / dynasqlMs, 2), unit: '×', target: '(peer, no target)', pass: true },
      ],
    };
  } finally {
    await conn.close();
    await emulator.close();
  }
}

/** the emulator's request counter (`/_emulator/stats`), to count what the statement sent */
async function requestCount(serviceUrl: string): Promise<number> {
  const response = await request(`${new URL(serviceUrl).origin}/_emulator/stats`);
  const stats = (await response.body.json()) as { requests?: number };
  return stats.requests ?? 0;
}
