import { validateFaultOptions, type FaultOptions } from './fault-options.js';

/**
 * Command-line flags for fault injection, for `dynasql emulator`:
 *
 *   --faults JSON                    all options at once, e.g. '{"seed":7,"serverErrorRate":0.1}'
 *   --fault-seed N                   seed (same seed, same faults)
 *   --fault-latency-ms MS            fixed added latency
 *   --fault-jitter-ms MS             random added latency, up to MS
 *   --fault-5xx-rate R               share of requests answered 5xx (0..1)
 *   --fault-5xx-status S             which 5xx (default 503)
 *   --fault-reset-rate R             share of connections reset before any answer
 *   --fault-reset-after-write-rate R share of writes committed, then the connection reset
 *   --fault-truncate-rate R          share of bodies cut short
 *   --fault-slow-body-rate R         share of bodies sent slowly
 *   --fault-429-burst-rate R         share of requests starting a burst of 429s
 *   --fault-429-burst-length N       length of a burst (default 5)
 *
 * Single flags override the same field of --faults. Unknown flags come back in `rest`.
 *
 *   parseFaultFlags(['--fault-seed', '7', '--fault-5xx-rate=0.1', '--port', '0'])
 *   // → { faults: { seed: 7, serverErrorRate: 0.1 }, rest: ['--port', '0'] }
 */
export const FAULT_FLAGS: Record<string, keyof FaultOptions> = {
  '--fault-seed': 'seed',
  '--fault-latency-ms': 'latencyMs',
  '--fault-jitter-ms': 'latencyJitterMs',
  '--fault-5xx-rate': 'serverErrorRate',
  '--fault-5xx-status': 'serverErrorStatus',
  '--fault-reset-rate': 'resetBeforeResponseRate',
  '--fault-reset-after-write-rate': 'resetAfterWriteRate',
  '--fault-truncate-rate': 'truncateBodyRate',
  '--fault-slow-body-rate': 'slowBodyRate',
  '--fault-429-burst-rate': 'throttleBurstRate',
  '--fault-429-burst-length': 'throttleBurstLength',
};

export function parseFaultFlags(argv: readonly string[]): { faults: FaultOptions | undefined; rest: string[] } {
  let base: Record<string, unknown> | undefined;
  const single: Record<string, number> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    if (name !== '--faults' && !(name in FAULT_FLAGS)) {
      rest.push(arg);
      continue;
    }
    const text = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (text === undefined) throw new Error(`${name} needs a value`);
    if (name === '--faults') {
      try {
        base = JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw new Error(`--faults needs a JSON object, got ${JSON.stringify(text)}`);
      }
      continue;
    }
    const value = text.trim() === '' ? NaN : Number(text);
    if (!Number.isFinite(value)) throw new Error(`${name} needs a number, got ${JSON.stringify(text)}`);
    single[FAULT_FLAGS[name]!] = value;
  }
  if (!base && Object.keys(single).length === 0) return { faults: undefined, rest };
  return { faults: validateFaultOptions({ ...(base ?? {}), ...single }), rest };
}
