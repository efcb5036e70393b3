import { describe, expect, it } from 'vitest';
import { parseEmulatorArgs } from '../../../src/emulator/cli.js';

describe('dynasql emulator flags for limits, faults and auth', () => {
  it('turns them into startEmulator options beside the core flags', () => {
    expect(parseEmulatorArgs([
      '--edition', 'finops', '--limit-requests', '100', '--limit-window', '2', '--limit-concurrent', '52',
      '--fault-seed', '9', '--fault-5xx-rate', '0.1', '--fault-latency-ms', '25', '--auth-audience', 'https://contoso.operations.dynamics.com',
    ])).toEqual({
      options: {
        edition: 'finops',
        limits: { requestsPerWindow: 100, windowSeconds: 2, concurrentRequests: 52 },
        faults: { seed: 9, serverErrorRate: 0.1, latencyMs: 25 },
        auth: { audience: ['https://contoso.operations.dynamics.com'] },
      },
    });
  });

  it('reports a bad value of these flags like any other', () => {
    expect(parseEmulatorArgs(['--limit-requests', 'lots'])).toEqual({ error: '--limit-requests needs a number, got "lots"' });
    expect(parseEmulatorArgs(['--fault-reset-rate', '1.5'])).toEqual({ error: 'faults.resetBeforeResponseRate must be between 0 and 1, got 1.5' });
  });
});
