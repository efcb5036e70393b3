/**
 * One measurement of the `cancel` benchmark (bench/cancel.bench.ts), in a process of its own so its
 * peak RSS is its own: `node bench/.tmp/cancel-build/bench/cancel-worker.js <scenario> <emulator url> [port]`
 * (compiled by the benchmark; `npx tsx bench/cancel-worker.ts …` runs the sources, ~35 MB more RSS). Prints one
 * JSON line of figures.
 *
 * - cancel-read | cancel-join | cancel-write: starts the statement, cancels it once it is busy, and
 *   reports how long until the statement settled and until this process's CPU went idle, and the CPU
 *   time it spent in between
 * - stream-read: a pushed-down read streamed through `stream()`: rows, peak RSS
 * - local-join: a local join of accounts and leads streamed through `stream()`: time to the first row,
 *   rows, peak RSS (default Local Memory Limit)
 * - serve: the Postgres adapter on `port`, serving until stdin closes (the slow reader is the parent)
 */
import { startPgServer } from '../src/pgwire/index.js';
import { connect, type Connection } from '../src/index.js';

const [scenario, url, port] = process.argv.slice(2);
/**
 * OData, so the joins run in the local engine as the issue measures them: with Remote Language auto a
 * plain equi-join goes out as one FetchXML request and never reaches the engine.
 */
const connectionString = `Url=${url};Remote Language=odata`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** busy until aborted: what each cancel scenario runs */
const BUSY: Record<string, (conn: Connection, signal: AbortSignal, onPage: () => void) => Promise<unknown>> = {
  'cancel-read': async (conn, signal, onPage) => {
    for await (const _ of conn.stream('SELECT accountid, name, revenue FROM account', undefined, { signal, onProgress: onPage }));
  },
  'cancel-join': (conn, signal, onPage) => conn.query(
    'SELECT COUNT(*) AS n FROM account a JOIN account b ON a.name < b.name JOIN account c ON b.name < c.name JOIN account d ON c.name < d.name',
    undefined, { signal, onProgress: onPage }),
  'cancel-write': (conn, signal, onPage) => conn.query(
    `INSERT INTO contact (lastname, firstname) VALUES ${Array.from({ length: 20_000 }, (_, i) => `('Cancel ${i}', 'Bench')`).join(', ')}`,
    undefined, { signal, onProgress: onPage }),
};

/** pages (or $batch requests) to wait for before cancelling: the join's four reads are done and the engine computes */
const PAGES_BEFORE_CANCEL: Record<string, number> = { 'cancel-read': 3, 'cancel-join': 4, 'cancel-write': 2 };

/**
 * When this process's CPU went quiet: the end of the last 20 ms slice busier than `quietShare` of a
 * core before two quiet slices in a row. The machine is shared, so "busy" is relative to what the
 * statement got before the cancel, and "quiet" no stricter than what this process spends idle.
 */
async function idleAfter(from: number, quietShare: number): Promise<number> {
  let last = process.cpuUsage();
  let lastAt = performance.now();
  let busyUntil = from;
  let quiet = 0;
  for (let i = 0; i < 1000 && quiet < 2; i++) {
    await sleep(20);
    const now = performance.now();
    const used = process.cpuUsage(last);
    last = process.cpuUsage();
    const share = (used.user + used.system) / 1000 / (now - lastAt);
    lastAt = now;
    if (share > quietShare) {
      busyUntil = now;
      quiet = 0;
    } else {
      quiet++;
    }
  }
  return busyUntil - from;
}

/**
 * The share of a core this process uses doing nothing but waking every 20 ms (the median of 10
 * slices). On the loaded machine that is 0.2–0.4 ms a slice, 1–2 % of a core: a write waits on the
 * service and uses only 4–19 % of a core, so a fifth of that is below what idling costs, and a
 * cancelled write measured against it never looked quiet (a CPU profile showed no driver code
 * running once it had settled).
 */
async function idleShare(): Promise<number> {
  const shares: number[] = [];
  let last = process.cpuUsage();
  let lastAt = performance.now();
  for (let i = 0; i < 10; i++) {
    await sleep(20);
    const used = process.cpuUsage(last);
    last = process.cpuUsage();
    const now = performance.now();
    shares.push((used.user + used.system) / 1000 / (now - lastAt));
    lastAt = now;
  }
  return shares.sort((a, b) => a - b)[5]!;
}

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function main(): Promise<Record<string, unknown>> {
  if (scenario === 'serve') {
    const conn = await connect(connectionString);
    const logs: string[] = [];
    const server = await startPgServer({ connection: conn, port: Number(port), trust: true, orgUrl: url, engineCacheDirectory: false, log: (line) => logs.push(line) });
    // the peak until listening (the catalog engine, PGlite, starts later, if a statement needs it); what serving adds is sampled from here on
    const startPeak = peakRssMb();
    const rssMb = () => Math.round(process.memoryUsage().rss / 1048576);
    const afterStart = rssMb();
    let servingPeak = afterStart;
    const sampler = setInterval(() => (servingPeak = Math.max(servingPeak, rssMb())), 50);
    process.stdout.write(`${JSON.stringify({ listening: server.port })}\n`);
    await new Promise((r) => process.stdin.on('end', r).resume());
    clearInterval(sampler);
    await server.close();
    await conn.close();
    // the figure: the process's peak over its whole life (the engine's start, then serving)
    return {
      servingPeakRssMb: servingPeak, rssAfterStartMb: afterStart, startPeakRssMb: startPeak, processPeakRssMb: peakRssMb(),
      catalogEngineStarts: logs.filter((line) => line.includes('catalog engine started')).length,
    };
  }
  const conn = await connect(connectionString);
  try {
    const busy = BUSY[scenario!];
    if (busy) {
      // the statement's code warmed up and the connection's start-up garbage collected, then what idling costs
      await conn.query('SELECT TOP 1 name FROM account');
      await sleep(300);
      const idle = await idleShare();
      const controller = new AbortController();
      const started = performance.now();
      let pages = 0;
      let loaded!: () => void;
      // or after 20 s, should the reads report fewer pages than expected
      const busyNow = new Promise<void>((r) => (loaded = r, setTimeout(r, 20_000).unref()));
      const onPage = () => void (++pages === PAGES_BEFORE_CANCEL[scenario!] && loaded());
      const running = busy(conn, controller.signal, onPage).then(() => 'finished', (error: { code?: string }) => error.code ?? String(error));
      await busyNow;
      const busyCpu = process.cpuUsage();
      await sleep(500);
      const used = process.cpuUsage(busyCpu);
      const busyShare = (used.user + used.system) / 1000 / 500;
      const abortedAt = performance.now();
      const cpuAtAbort = process.cpuUsage();
      controller.abort();
      const outcome = await running;
      const settledMs = performance.now() - abortedAt;
      const idleMs = await idleAfter(abortedAt, Math.max(0.01, busyShare / 5, 2 * idle));
      // the CPU this process spent from the cancel until it went quiet: on a loaded machine the wall
      // time above is mostly waiting for a core, this is the work the cancel left to do
      const after = process.cpuUsage(cpuAtAbort);
      const cpuAfterCancelMs = Math.round((after.user + after.system) / 1000);
      return { outcome, ranMs: Math.round(abortedAt - started), cpuShareBeforeCancel: Math.round(busyShare * 100) / 100, idleCpuShare: Math.round(idle * 1000) / 1000, settledMs: Math.round(settledMs), idleMs: Math.round(idleMs), cpuAfterCancelMs };
    }
    if (scenario === 'stream-read' || scenario === 'local-join') {
      const sql = scenario === 'stream-read'
        ? 'SELECT accountid, name, revenue FROM account'
        : 'SELECT a.name, l.fullname, l.estimatedamount FROM account a JOIN lead l ON l.companyname = a.name';
      const started = performance.now();
      let firstRowMs = 0;
      let rows = 0;
      for await (const _ of conn.stream(sql)) if (++rows === 1) firstRowMs = performance.now() - started;
      return { rows, firstRowMs: Math.round(firstRowMs), totalMs: Math.round(performance.now() - started), peakRssMb: peakRssMb() };
    }
    throw new Error(`unknown scenario ${scenario}`);
  } finally {
    await conn.close();
  }
}

process.stdout.write(`${JSON.stringify(await main())}\n`);
