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
 * dynasql and the peer each run once with 1,000 rows first (the warm-up: both clients' code and the
 * emulator's write path get compiled before anything is timed), then `rounds` times each, alternating
 * which goes first; the figures are medians. Every side's rows are counted back through the service.
 */
import { randomUUID } from 'node:crypto';
import { DynamicsWebApi } from 'dynamics-web-api';
import { request } from 'undici';
import { connect } from '../src/index.js';
import { spawnEmulator } from './lib/emulator-process.js';
import { median, round } from './lib/measure.js';
import { atLeast, type BenchResult } from './lib/result.js';

export interface WriteOptions {
  rows?: number;
  naiveSample?: number;
  latencyMs?: number;
  /** timed rounds of dynasql and the peer, alternated (after one warm-up round of each) */
  rounds?: number;
}

export async function runWriteBench(options: WriteOptions = {}): Promise<BenchResult> {
  const rows = options.rows ?? 10_000;
  const sample = Math.min(rows, options.naiveSample ?? 500);
  const latencyMs = options.latencyMs ?? 20;
  const rounds = options.rounds ?? 3;
  const emulator = await spawnEmulator(['--rows', '10', '--fault-latency-ms', String(latencyMs)]);
  const conn = await connect(`Url=${emulator.url}`);
  const peer = new DynamicsWebApi({ serverUrl: new URL(emulator.url).origin, dataApi: { version: '9.2' }, onTokenRefresh: async () => 'dummy-token' });
  const run = randomUUID().slice(0, 8);
  const count = async (tag: string) => Number((await conn.query(`SELECT COUNT(*) AS n FROM contact WHERE firstname = '${tag}'`)).rows[0]!.n);

  /** dynasql: one multi-row INSERT statement, sent as $batch change sets */
  const dynasqlRound = async (tag: string, n: number) => {
    const values = Array.from({ length: n }, (_, i) => `('Bench ${i}', '${tag}', 'bench${i}@example.com')`).join(',\n');
    const sql = `INSERT INTO contact (lastname, firstname, emailaddress1) VALUES ${values}`;
    const before = await requestCount(emulator.url);
    const started = performance.now();
    const inserted = await conn.query(sql);
    const ms = performance.now() - started;
    const requests = (await requestCount(emulator.url)) - before;
    if (inserted.rowCount !== n || (await count(tag)) !== n) throw new Error(`dynasql inserted ${inserted.rowCount} rows`);
    return { ms, requests };
  };
  /** the peer: DynamicsWebApi batches of 1,000 creates */
  const peerRound = async (tag: string, n: number) => {
    const started = performance.now();
    for (let offset = 0; offset < n; offset += 1000) {
      peer.startBatch();
      for (let i = offset; i < Math.min(n, offset + 1000); i++) {
        void peer.create({ collection: 'contacts', data: { lastname: `Bench ${i}`, firstname: tag, emailaddress1: `bench${i}@example.com` } });
      }
      await peer.executeBatch();
    }
    const ms = performance.now() - started;
    const written = await count(tag);
    if (written !== n) throw new Error(`peer inserted ${written} rows`);
    return { ms };
  };

  try {
    // warm-up: both clients and the emulator's write path, so that neither side pays for the JIT alone
    await dynasqlRound(`warm-dynasql-${run}`, 1000);
    await peerRound(`warm-peer-${run}`, 1000);

    const dynasqlRuns: { ms: number; requests: number }[] = [];
    const peerRuns: { ms: number }[] = [];
    for (let r = 0; r < rounds; r++) {
      // alternate which goes first
      if (r % 2 === 0) {
        dynasqlRuns.push(await dynasqlRound(`dynasql-${run}-${r}`, rows));
        peerRuns.push(await peerRound(`peer-${run}-${r}`, rows));
      } else {
        peerRuns.push(await peerRound(`peer-${run}-${r}`, rows));
        dynasqlRuns.push(await dynasqlRound(`dynasql-${run}-${r}`, rows));
      }
    }
    const dynasqlMs = median(dynasqlRuns.map((x) => x.ms));
    const peerMs = median(peerRuns.map((x) => x.ms));

    // naive: one POST per row, one at a time
    const naiveTag = `naive-${run}`;
    const started = performance.now();
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

    return {
      name: 'write',
      figures: {
        rows, latencyMs, rounds,
        dynasql: { ms: Math.round(dynasqlMs), requests: dynasqlRuns[0]!.requests, rowsPerSecond: Math.round(rows / (dynasqlMs / 1000)), allMs: dynasqlRuns.map((x) => Math.round(x.ms)) },
        naive: { sampleRows: sample, sampleMs: Math.round(naiveSampleMs), extrapolatedMs: Math.round(naiveMs), rowsPerSecond: Math.round(sample / (naiveSampleMs / 1000)), extrapolated: sample < rows },
        dynamicsWebApi: { ms: Math.round(peerMs), batches: Math.ceil(rows / 1000), rowsPerSecond: Math.round(rows / (peerMs / 1000)), allMs: peerRuns.map((x) => Math.round(x.ms)) },
      },
      checks: [
        atLeast('batched INSERT speed / one POST per row', round(naiveMs / dynasqlMs, 1), 20, '×', sample < rows ? `naive extrapolated from ${sample} rows` : undefined),
        { what: 'batched INSERT speed / DynamicsWebApi batch', value: round(peerMs / dynasqlMs, 2), unit: '×', target: '(peer, no target)', pass: true, note: `median of ${rounds} alternated rounds after a warm-up` },
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
