import type { LimitKind } from './service-protection.js';
import { DEFAULT_WINDOW_SECONDS, type LimitOptions } from './limit-options.js';

export interface LimitResponse {
  status: 429;
  headers: Record<string, string>;
  body: { error: { code: string; message: string } };
}

const groupThousands = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * The 429 answer for a refused request, worded as each edition documents it (protocol notes §6),
 * with the configured numbers in place of the service's 6000 / 300 / 1,200,000 / 52:
 *
 *   Dataverse: {"error":{"code":"0x80072322","message":"Number of requests exceeded the limit of 6000 over time window of 300 seconds."}}
 *   F&O:       {"error":{"code":"","message":"Number of requests exeeded the limit of 6000 over the time window of 300 seconds."}}
 *
 * F&O's typo "exeeded" and Dataverse's double space before "over" in the execution-time message are
 * the documents' own. The connector's wording is not documented; ours names the node arithmetic.
 */
export function limitResponse(kind: LimitKind, options: LimitOptions, edition: string, retryAfterSeconds: number): LimitResponse {
  const w = options.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
  const finops = edition === 'finops';
  let code = '';
  let message: string;
  switch (kind) {
    case 'requests':
      code = '0x80072322';
      message = finops
        ? `Number of requests exeeded the limit of ${options.requestsPerWindow} over the time window of ${w} seconds.`
        : `Number of requests exceeded the limit of ${options.requestsPerWindow} over time window of ${w} seconds.`;
      break;
    case 'execution-time': {
      code = '0x80072321';
      const ms = options.executionTimeMsPerWindow ?? 0;
      const tail = 'Decrease number of concurrent requests or reduce the duration of requests and try again later.';
      message = finops
        ? `Combined execution time of incoming requests exceeded limit of ${groupThousands(ms / 1000)} seconds over time window of ${w} seconds. ${tail}`
        : `Combined execution time of incoming requests exceeded limit of ${groupThousands(ms)}  milliseconds over time window of ${w} seconds. ${tail}`;
      break;
    }
    case 'concurrent':
      code = '0x80072326';
      message = `Number of concurrent requests exceeded the limit of ${options.concurrentRequests}.`;
      break;
    case 'connector': {
      const c = options.connector!;
      message = `Too many requests: the connection's ${c.nodes} node(s) serve ${c.transactionsPerSecondPerNode} transaction(s) per second each.`;
      break;
    }
  }
  return {
    status: 429,
    headers: { 'retry-after': String(retryAfterSeconds), 'content-type': 'application/json; odata.metadata=minimal' },
    // F&O's errors carry an empty code (ASP.NET OData shape); Dataverse's carry the hex HRESULT.
    body: { error: { code: finops || kind === 'connector' ? '' : code, message } },
  };
}
