/**
 * Cancellation and memory (issue 15). Each measurement runs in a fresh process (bench/cancel-worker.ts)
 * against an emulator in its own process, so CPU and peak RSS are the client's alone:
 * - cancel → idle CPU for a pushed-down read (1,000,000 accounts), a local join (four-way over 1,000
 *   accounts, computing for hours if not stopped) and a 20,000-row INSERT; target under 200 ms
 * - peak RSS streaming a 1,000,000-row pushed-down read through `stream()` (from the emulator, and from a
 *   stand-in that answers faster than the client reads: bench/lib/fast-pages.ts), and through the
 *   Postgres adapter to a client that reads slowly (a chunk every 20 ms); target under 200 MB
 * - a local join of 500,000 accounts with 500,000 leads streamed with the default Local Memory
 *   Limit: peak RSS and time to the first row (reported)
 */
import { spawn } from 'node:child_process';
import { connect as connectSocket } from 'node:net';
import { encodeFrontendMessage, encodeStartupMessage } from '../src/pgwire/frontend-messages.js';
import { compiledBuild } from './lib/compiled-build.js';
import { spawnEmulator } from './lib/emulator-process.js';
import { startFastPages } from './lib/fast-pages.js';
import { below, type BenchResult } from './lib/result.js';

/** the worker compiled, so its RSS is what users' processes hold (tsx alone costs ~35 MB); built by runCancelBench */
let workerScript = '';

interface Worker {
  lines: AsyncIterator<Record<string, unknown>>;
  endInput(): void;
}

function startWorker(args: string[]): Worker {
  const child = spawn(process.execPath, [workerScript, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  async function* lines(): AsyncGenerator<Record<string, unknown>> {
    let buffered = '';
    for await (const chunk of child.stdout) {
      buffered += String(chunk);
      for (let at = buffered.indexOf('\n'); at >= 0; at = buffered.indexOf('\n')) {
        yield JSON.parse(buffered.slice(0, at)) as Record<string, unknown>;
        buffered = buffered.slice(at + 1);
      }
    }
  }
  return { lines: lines(), endInput: () => child.stdin.end() };
}

/** One scenario's figures, or its error: a scenario that fails (a request timing out on a loaded machine) does not lose the others' figures. */
async function measure(...args: string[]): Promise<Record<string, unknown>> {
  const next = await startWorker(args).lines.next();
  return next.done ? { error: `worker ${args[0]} printed nothing (see its stderr above)` } : next.value;
}

/** Serves the read through the adapter and reads it slowly: one socket chunk every 20 ms. */
async function slowReader(url: string): Promise<Record<string, unknown>> {
  const worker = startWorker(['serve', url, '0']);
  const { listening } = (await worker.lines.next()).value as { listening: number };
  const socket = connectSocket(listening, '127.0.0.1');
  await new Promise<void>((r) => socket.once('connect', () => r()));
  socket.write(encodeStartupMessage({ user: 'bench', database: 'dynamics' }));
  let rows = 0;
  let pending: Buffer = Buffer.alloc(0);
  let ready = 0;
  const started = performance.now();
  await new Promise<void>((done) => {
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let at = 0;
      while (pending.length - at >= 5) {
        const length = pending.readInt32BE(at + 1);
        if (pending.length - at < 1 + length) break;
        const type = String.fromCharCode(pending[at]!);
        if (type === 'D') rows++;
        if (type === 'Z' && ++ready === 1) socket.write(encodeFrontendMessage({ type: 'Query', sql: 'select accountid, name, revenue from account' }));
        if (type === 'Z' && ready === 2) done();
        at += 1 + length;
      }
      pending = pending.subarray(at);
      if (ready === 1) {
        socket.pause();
        setTimeout(() => socket.resume(), 20);
      }
    });
  });
  const ms = performance.now() - started;
  socket.end(encodeFrontendMessage({ type: 'Terminate' }));
  worker.endInput();
  const last = (await worker.lines.next()).value as { servingPeakRssMb: number; rssAfterStartMb: number; startPeakRssMb: number; processPeakRssMb: number; catalogEngineStarts: number };
  return { rows, ms: Math.round(ms), ...last };
}

export async function runCancelBench(): Promise<BenchResult> {
  workerScript = compiledBuild('cancel-build', ['bench/cancel-worker.ts']).path('bench/cancel-worker.js');
  const small = await spawnEmulator(['--rows', '1000']);
  const large = await spawnEmulator(['--rows', '1000000']);
  const joined = await spawnEmulator(['--rows', '500000']);
  try {
    const cancelRead = await measure('cancel-read', large.url);
    const cancelJoin = await measure('cancel-join', small.url);
    const cancelWrite = await measure('cancel-write', small.url);
    const streamRead = await measure('stream-read', large.url);
    const fast = await startFastPages(large.url, 200);
    const streamReadFast = await measure('stream-read', fast.url).finally(() => fast.close());
    const served = await slowReader(large.url).catch((error: Error) => ({ error: error.message }) as Record<string, unknown>);
    const localJoin = await measure('local-join', joined.url);
    const n = (v: unknown) => Number(v);
    /** the check's note, or the scenario's error (its value is then NaN and the check fails) */
    const about = (figures: Record<string, unknown>, note: string) => (figures.error === undefined ? note : `failed: ${String(figures.error)}`);
    return {
      name: 'cancel',
      figures: { cancelRead, cancelJoin, cancelWrite, streamRead, streamReadFast, served, localJoin },
      checks: [
        below('cancel → idle CPU: pushed-down read', n(cancelRead.idleMs), 200, 'ms', about(cancelRead, `settled in ${n(cancelRead.settledMs)} ms (${String(cancelRead.outcome)}); ${n(cancelRead.cpuAfterCancelMs)} ms of CPU from the cancel to idle`)),
        below('cancel → idle CPU: local join', n(cancelJoin.idleMs), 200, 'ms', about(cancelJoin, `settled in ${n(cancelJoin.settledMs)} ms (${String(cancelJoin.outcome)}); ${n(cancelJoin.cpuAfterCancelMs)} ms of CPU from the cancel to idle`)),
        below('cancel → idle CPU: INSERT of 20,000 rows', n(cancelWrite.idleMs), 200, 'ms', about(cancelWrite, `settled in ${n(cancelWrite.settledMs)} ms (${String(cancelWrite.outcome)}); ${n(cancelWrite.cpuAfterCancelMs)} ms of CPU from the cancel to idle`)),
        below('peak RSS, 1,000,000 rows through stream()', n(streamRead.peakRssMb), 200, 'MB', about(streamRead, `${n(streamRead.rows)} rows in ${n(streamRead.totalMs)} ms`)),
        below('peak RSS, 1,000,000 rows through stream() from a service faster than the client', n(streamReadFast.peakRssMb), 200, 'MB',
          about(streamReadFast, `${n(streamReadFast.rows)} rows in ${n(streamReadFast.totalMs)} ms: the emulator's first page served 200 times from memory`)),
        below('RSS added serving 1,000,000 rows through the adapter to a slow reader', n(served.servingPeakRssMb) - n(served.rssAfterStartMb), 200, 'MB',
          about(served, `${n(served.rows)} rows in ${n(served.ms)} ms; peak ${n(served.servingPeakRssMb)} MB while serving, ${n(served.rssAfterStartMb)} MB once listening (${n(served.startPeakRssMb)} MB peak until then)`)),
        below('peak RSS of the adapter\'s process serving 1,000,000 rows to a slow reader', n(served.processPeakRssMb), 200, 'MB',
          about(served, `the catalog engine (PGlite) started ${n(served.catalogEngineStarts)} times: it starts only for a statement that needs it, and a plain read does not`)),
        { what: 'peak RSS, local join 2 × 500,000 rows (default limit)', value: n(localJoin.peakRssMb), unit: 'MB', target: '(reported)', pass: localJoin.error === undefined, note: about(localJoin, `${n(localJoin.rows)} rows in ${n(localJoin.totalMs)} ms`) },
        { what: 'time to first row, local join 2 × 500,000 rows', value: n(localJoin.firstRowMs), unit: 'ms', target: '(reported)', pass: localJoin.error === undefined, note: about(localJoin, 'the engine starts once both inputs are loaded (read at the same time): this is mostly reading 1,000,000 rows from the emulator') },
      ],
    };
  } finally {
    await Promise.all([small.close(), large.close(), joined.close()]);
  }
}
