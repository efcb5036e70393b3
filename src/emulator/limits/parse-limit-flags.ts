import type { LimitOptions } from './limit-options.js';
import { validateLimitOptions } from './limit-options.js';

/**
 * Command-line flags for the limits, for `dynasql emulator`. Each takes a number:
 *
 *   --limit-requests N          requests per user per window
 *   --limit-window SECONDS      window length (default 300)
 *   --limit-execution-ms MS     combined execution time per user per window
 *   --limit-concurrent N        requests in flight per user
 *   --limit-connector-tps N     connector model: transactions per second per node
 *   --limit-connector-nodes N   connector model: node count (default 2, the connector's minimum)
 *   --limit-retry-penalty S     seconds added to Retry-After per refusal under continued pressure
 *
 *   parseLimitFlags(['--port', '0', '--limit-requests', '100', '--limit-window=2'])
 *   // → { limits: { requestsPerWindow: 100, windowSeconds: 2 }, rest: ['--port', '0'] }
 *
 * Flags it does not know are returned in `rest` untouched, so the CLI can parse its own.
 */
export const LIMIT_FLAGS = {
  '--limit-requests': 'requestsPerWindow',
  '--limit-window': 'windowSeconds',
  '--limit-execution-ms': 'executionTimeMsPerWindow',
  '--limit-concurrent': 'concurrentRequests',
  '--limit-connector-tps': 'transactionsPerSecondPerNode',
  '--limit-connector-nodes': 'nodes',
  '--limit-retry-penalty': 'retryAfterPenaltySeconds',
} as const;

export function parseLimitFlags(argv: readonly string[]): { limits: LimitOptions | undefined; rest: string[] } {
  const values = new Map<string, number>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    if (!(name in LIMIT_FLAGS)) {
      rest.push(arg);
      continue;
    }
    const text = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    const value = text === undefined || text.trim() === '' ? NaN : Number(text);
    if (!Number.isFinite(value)) throw new Error(`${name} needs a number, got ${text === undefined ? 'nothing' : JSON.stringify(text)}`);
    values.set(LIMIT_FLAGS[name as keyof typeof LIMIT_FLAGS], value);
  }
  if (values.size === 0) return { limits: undefined, rest };
  const limits: LimitOptions = {};
  for (const key of ['requestsPerWindow', 'windowSeconds', 'executionTimeMsPerWindow', 'concurrentRequests', 'retryAfterPenaltySeconds'] as const) {
    if (values.has(key)) limits[key] = values.get(key)!;
  }
  if (values.has('transactionsPerSecondPerNode') || values.has('nodes')) {
    if (!values.has('transactionsPerSecondPerNode')) throw new Error('--limit-connector-nodes needs --limit-connector-tps too');
    limits.connector = { transactionsPerSecondPerNode: values.get('transactionsPerSecondPerNode')!, nodes: values.get('nodes') ?? 2 };
  }
  return { limits: validateLimitOptions(limits), rest };
}
