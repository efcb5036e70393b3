// `npm run fuzz -- --count 50000 --seed N`: the randomized differential test on demand (test/fuzz/cli.ts).
import { main } from '../test/fuzz/cli.js';

process.exitCode = await main(process.argv.slice(2));
