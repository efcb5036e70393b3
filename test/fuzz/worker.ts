/**
 * One job of `npm run fuzz -- --jobs N` (test/fuzz/parallel.ts starts it with the parent's
 * arguments and `--share k`): runs share k of the stream and sends its lines and report back.
 */
import { parseOptions, runShare } from './cli.js';
import type { WorkerMessage } from './parallel.js';

const send = (m: WorkerMessage) => new Promise<void>((resolve) => process.send!(m, () => resolve()));

try {
  const options = parseOptions(process.argv.slice(2));
  const report = await runShare(options, options.share!, (line) => void send({ line }));
  await send({ report });
} catch (error) {
  await send({ failed: String((error as Error).stack ?? error) });
  process.exitCode = 1;
}
process.disconnect?.();
