/**
 * Run by cancel.test.ts as a child process: starts a long local join, cancels it, closes the
 * connection and the emulator, and returns from main. The process must then exit on its own: nothing
 * (a DuckDB query, a socket, a timer) may be left holding it. Prints the cancelled statement's code.
 */
import { startEmulator } from '../../src/emulator/index.js';
import { connect } from '../../src/index.js';

async function main(): Promise<void> {
  const emulator = await startEmulator({ port: 0, rows: 1000 });
  // OData forced: the test is about a local join in the engine, whatever Remote Language=Auto would choose
  const conn = await connect(`Url=${emulator.url};Remote Language=OData`);
  const controller = new AbortController();
  const running = conn.query(
    'SELECT COUNT(*) AS n FROM account a JOIN account b ON a.name < b.name JOIN account c ON b.name < c.name JOIN account d ON c.name < d.name',
    undefined,
    // progress reports are throttled to one per 100 ms, so on a fast machine the first may be the
    // only one before the engine starts: abort a little after it, while the join runs
    { signal: controller.signal, onProgress: (p) => { if (p.pages >= 1) setTimeout(() => controller.abort(), 200); } },
  );
  const outcome = await running.then(() => 'finished', (error: { code?: string }) => error.code ?? String(error));
  // a second statement left running is stopped by close()
  const left = conn.query('SELECT COUNT(*) AS n FROM account a JOIN account b ON a.name < b.name JOIN account c ON b.name < c.name JOIN account d ON c.name < d.name');
  left.catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 300));
  await conn.close();
  const closed = await left.then(() => 'finished', (error: { code?: string }) => error.code ?? String(error));
  await emulator.close();
  process.stdout.write(`${outcome} ${closed}\n`);
}

await main();
