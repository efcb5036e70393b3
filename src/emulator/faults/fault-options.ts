/**
 * Faults the emulator injects, seeded so a run can be replayed: the n-th request of two runs with the
 * same seed and the same options meets the same fault. Rates are probabilities per request (0..1);
 * everything defaults to off.
 *
 *   startEmulator({ faults: { seed: 7, serverErrorRate: 0.1, latencyMs: 20 } })
 *   // every request waits 20 ms; about one in ten gets a 503
 */
export interface FaultOptions {
  /** Seed of the PRNG (default 1). Changing the options at run time restarts the sequence from it. */
  seed?: number;
  /** Fixed delay before every answer, in milliseconds. */
  latencyMs?: number;
  /** Extra random delay, uniform in [0, latencyJitterMs), added to `latencyMs`. */
  latencyJitterMs?: number;
  /** Share of requests answered with a 5xx instead of being served. */
  serverErrorRate?: number;
  /** The status of those answers (default 503; 500, 502 and 504 also make sense). */
  serverErrorStatus?: number;
  /** Share of requests whose connection is reset before anything is done or answered. */
  resetBeforeResponseRate?: number;
  /**
   * Share of writes (POST, PATCH, PUT, DELETE, $batch) that are carried out and committed, after which
   * the connection is reset instead of answering: the client cannot know the write happened.
   */
  resetAfterWriteRate?: number;
  /** Share of responses cut off halfway through the body (headers promise the full length). */
  truncateBodyRate?: number;
  /** Share of responses whose body is sent in small pieces with a pause between them. */
  slowBodyRate?: number;
  /** Pause between the pieces of a slow body, in milliseconds (default 50). */
  slowBodyChunkDelayMs?: number;
  /** Size of the pieces of a slow body, in bytes (default 256). */
  slowBodyChunkBytes?: number;
  /** Share of requests that start a burst of 429 answers. */
  throttleBurstRate?: number;
  /** How many consecutive requests one burst refuses, the first included (default 5). */
  throttleBurstLength?: number;
  /** Retry-After of the burst's answers, in seconds (default 1). */
  throttleRetryAfterSeconds?: number;
}

const RATES = ['serverErrorRate', 'resetBeforeResponseRate', 'resetAfterWriteRate', 'truncateBodyRate', 'slowBodyRate', 'throttleBurstRate'] as const;
const NON_NEGATIVE = ['latencyMs', 'latencyJitterMs', 'slowBodyChunkDelayMs'] as const;
const POSITIVE_INTEGERS = ['slowBodyChunkBytes', 'throttleBurstLength', 'throttleRetryAfterSeconds'] as const;
const KNOWN = new Set<string>(['seed', 'serverErrorStatus', ...RATES, ...NON_NEGATIVE, ...POSITIVE_INTEGERS]);

/**
 * Checks options coming from code or from a `PUT /_emulator/faults` body; throws a plain Error naming
 * the first bad field. Unknown fields are refused so a typo does not silently disable a fault.
 */
export function validateFaultOptions(input: unknown): FaultOptions {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new Error('faults must be a JSON object');
  const o = input as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!KNOWN.has(key)) throw new Error(`faults.${key} is not a known fault option`);
  const num = (key: string) => {
    const v = o[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) throw new Error(`faults.${key} must be a number`);
    return v as number | undefined;
  };
  for (const key of RATES) {
    const v = num(key);
    if (v !== undefined && (v < 0 || v > 1)) throw new Error(`faults.${key} must be between 0 and 1, got ${v}`);
  }
  for (const key of NON_NEGATIVE) {
    const v = num(key);
    if (v !== undefined && v < 0) throw new Error(`faults.${key} must be zero or more, got ${v}`);
  }
  for (const key of POSITIVE_INTEGERS) {
    const v = num(key);
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new Error(`faults.${key} must be a positive integer, got ${v}`);
  }
  const seed = num('seed');
  if (seed !== undefined && !Number.isInteger(seed)) throw new Error('faults.seed must be an integer');
  const status = num('serverErrorStatus');
  if (status !== undefined && !(Number.isInteger(status) && status >= 500 && status <= 599)) throw new Error(`faults.serverErrorStatus must be a 5xx status, got ${status}`);
  return { ...o } as FaultOptions;
}
