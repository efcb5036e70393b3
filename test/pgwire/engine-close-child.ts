/**
 * Run by catalog-engine-start.test.ts as a child process: two catalog engines are closed while a
 * statement waits for their start (one at once, while its worker loads PGlite; one while its mirror
 * DDL runs), then main returns. The process must exit on its own: no worker may be left running.
 * Prints the code each waiting statement got.
 */
import { CatalogEngine, type EngineSession } from '../../src/pgwire/catalog-engine.js';
import { readerRoleDdl } from '../../src/pgwire/catalog-mirror.js';
import { engineSnapshotPath } from '../../src/pgwire/engine-thread.js';

const SESSION: EngineSession = { id: 1, startupSettings: new Map(), setStatements: [], tempTableDdl: [] };

async function closedWhileStarting(mirrorDdl: string, closeAfterMs: number, cacheDirectory: string): Promise<string> {
  const engine = new CatalogEngine({ mirrorDdl, readerDdl: readerRoleDdl('emulator'), procedureDdl: [], timeoutMs: 30_000, snapshotPath: engineSnapshotPath(cacheDirectory) });
  const waiting = engine.simpleQuery(SESSION, 'select 1').then(() => 'answered', (error: { code?: string }) => error.code ?? String(error));
  await new Promise((resolve) => setTimeout(resolve, closeAfterMs));
  await engine.close();
  return waiting;
}

async function main(): Promise<void> {
  const cacheDirectory = process.argv[2]!;
  const duringLoad = await closedWhileStarting('CREATE TABLE t (a int);', 0, cacheDirectory);
  const duringDdl = await closedWhileStarting('SELECT pg_sleep(60);', 3000, cacheDirectory);
  process.stdout.write(`${duringLoad} ${duringDdl}\n`);
}

await main();
