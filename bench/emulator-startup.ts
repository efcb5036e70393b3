/**
 * Emulator start-up time with many accounts (issue 2: 100,000 accounts must start in under 10 s).
 * Measures startEmulator() until it listens, then the first page and the count.
 *
 *   npx tsx bench/emulator-startup.ts [rows...]     (default: 100000 1000000)
 */
import { startEmulator } from '../src/emulator/index.js';

const LIMIT_MS = 10_000;
const sizes = process.argv.slice(2).map(Number).filter((n) => Number.isInteger(n) && n > 0);
let failed = false;
for (const rows of sizes.length ? sizes : [100_000, 1_000_000]) {
  const t0 = performance.now();
  const emu = await startEmulator({ port: 0, rows });
  const started = performance.now() - t0;
  const page = await fetch(`${emu.url}accounts?$select=name`, { headers: { Prefer: 'odata.maxpagesize=5000' } });
  await page.json();
  const firstPage = performance.now() - t0;
  const count = await (await fetch(`${emu.url}accounts/$count`)).text();
  await emu.close();
  const ok = started < LIMIT_MS;
  failed ||= !ok;
  console.log(`${rows.toLocaleString('en-US')} accounts: listening after ${started.toFixed(0)} ms, first 5,000-row page after ${firstPage.toFixed(0)} ms, $count=${count} ${ok ? 'ok' : `OVER ${LIMIT_MS} ms`}`);
}
process.exitCode = failed ? 1 : 0;
