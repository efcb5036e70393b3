import { describe, expect, it } from 'vitest';
import { parseFaultFlags } from '../../../src/emulator/faults/parse-fault-flags.js';

describe('parseFaultFlags', () => {
  it('reads single flags and --faults JSON, single flags winning, and leaves the rest', () => {
    expect(parseFaultFlags(['--faults', '{"seed":1,"serverErrorRate":0.2}', '--fault-5xx-rate=0.05', '--rows', '10', '--fault-latency-ms', '20'])).toEqual({
      faults: { seed: 1, serverErrorRate: 0.05, latencyMs: 20 }, rest: ['--rows', '10'],
    });
    expect(parseFaultFlags(['--port', '0'])).toEqual({ faults: undefined, rest: ['--port', '0'] });
  });
  it('refuses bad values with a message naming the flag or field', () => {
    expect(() => parseFaultFlags(['--fault-seed'])).toThrow('--fault-seed needs a value');
    expect(() => parseFaultFlags(['--fault-truncate-rate', 'half'])).toThrow('--fault-truncate-rate needs a number, got "half"');
    expect(() => parseFaultFlags(['--faults', '{oops'])).toThrow(/--faults needs a JSON object/);
    expect(() => parseFaultFlags(['--fault-5xx-status', '404'])).toThrow(/5xx status/);
  });
});
