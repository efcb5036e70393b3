import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import type { FaultOptions } from '../../../src/emulator/faults/fault-options.js';

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function statusOf(url: string, init: { method?: 'GET' | 'POST' | 'PUT'; body?: string } = {}): Promise<number | string> {
  try {
    const res = await request(url, { method: init.method ?? 'GET', body: init.body, headers: init.body ? { 'content-type': 'application/json' } : {} });
    await res.body.text();
    return res.statusCode;
  } catch (error) {
    return (error as { code?: string }).code ?? 'error';
  }
}

const setFaults = (faults: FaultOptions) => request(`${emulator!.origin}/_emulator/faults`, { method: 'PUT', body: JSON.stringify(faults) }).then(async (r) => ({ status: r.statusCode, json: await r.body.json() as any }));

describe('fault injection over HTTP', () => {
  it('answers 5xx at the configured rate, and the same seed gives the same faults again', async () => {
    const faults = { seed: 11, serverErrorRate: 0.2 };
    emulator = await startEmulator({ faults });
    const run = async () => {
      const statuses: (number | string)[] = [];
      for (let i = 0; i < 100; i++) statuses.push(await statusOf(`${emulator!.url}WhoAmI`));
      return statuses;
    };
    const first = await run();
    const errors = first.filter((s) => s === 503).length;
    expect(errors).toBeGreaterThanOrEqual(10);
    expect(errors).toBeLessThanOrEqual(30);
    expect(first.filter((s) => s !== 503 && s !== 200)).toEqual([]);
    const state = (await request(`${emulator.origin}/_emulator/faults`).then((r) => r.body.json())) as any;
    expect(state).toMatchObject({ options: faults, requests: 100, injected: { 'server-error': errors }, total: errors });
    expect((await request(`${emulator.origin}/_emulator/stats`).then((r) => r.body.json()) as any).faultsInjected).toBe(errors);

    await setFaults(faults); // restarts the seeded sequence
    expect(await run()).toEqual(first);
    await setFaults({ ...faults, seed: 12 });
    expect(await run()).not.toEqual(first);
  });

  it('injects a mix of faults at their rates, seen by the client exactly as planned, and replays it', async () => {
    const faults = { seed: 21, serverErrorRate: 0.1, resetBeforeResponseRate: 0.1, truncateBodyRate: 0.1, throttleBurstRate: 0.05, throttleBurstLength: 2 };
    emulator = await startEmulator({ faults });
    // One letter per request, as the client experiences it.
    const outcome = async () => {
      try {
        const res = await request(`${emulator!.url}accounts?$select=name&$top=5`);
        if (res.statusCode === 503) return (await res.body.text(), 'E');
        if (res.statusCode === 429) return (await res.body.text(), 'T');
        try {
          await res.body.text();
          return '.';
        } catch {
          return 'C'; // cut short
        }
      } catch {
        return 'R'; // reset before any answer
      }
    };
    const run = async () => {
      let marks = '';
      for (let i = 0; i < 80; i++) marks += await outcome();
      return marks;
    };
    const first = await run();
    const state = (await request(`${emulator.origin}/_emulator/faults`).then((r) => r.body.json())) as any;
    const count = (c: string) => first.split(c).length - 1;
    expect({ E: count('E'), R: count('R'), C: count('C'), T: count('T') }).toEqual({
      E: state.injected['server-error'], R: state.injected['reset-before'], C: state.injected.truncate, T: state.injected.throttle,
    });
    for (const c of ['E', 'R', 'C']) {
      expect(count(c)).toBeGreaterThanOrEqual(2); // about 8 each at 0.1 of 80 (rates are checked closely in fault-planner.test.ts)
      expect(count(c)).toBeLessThanOrEqual(20);
    }
    await setFaults(faults);
    expect(await run()).toBe(first);
  });

  it('adds fixed and random latency', async () => {
    emulator = await startEmulator({ faults: { latencyMs: 80, latencyJitterMs: 40 } });
    const started = Date.now();
    expect(await statusOf(`${emulator.url}WhoAmI`)).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(80);
  });

  it('resets the connection before answering', async () => {
    emulator = await startEmulator({ faults: { resetBeforeResponseRate: 1 } });
    expect(await statusOf(`${emulator.url}WhoAmI`)).toMatch(/^UND_ERR_(SOCKET|CLOSED)$/);
  });

  it('resets the connection after a write was committed: the record exists although the client saw no answer', async () => {
    emulator = await startEmulator({ faults: { resetAfterWriteRate: 1 } });
    const id = '6a1f2a3b-0000-4000-8000-00000000f417';
    expect(await statusOf(`${emulator.url}WhoAmI`)).toBe(200); // reads are untouched
    expect(await statusOf(`${emulator.url}accounts`, { method: 'POST', body: JSON.stringify({ accountid: id, name: 'Committed but unanswered' }) })).toMatch(/^UND_ERR_(SOCKET|CLOSED)$/);
    expect((await setFaults({})).status).toBe(200);
    const res = await request(`${emulator.url}accounts(${id})?$select=name`);
    expect(res.statusCode).toBe(200);
    expect(((await res.body.json()) as any).name).toBe('Committed but unanswered');
  });

  it('cuts a body short after promising its full length', async () => {
    emulator = await startEmulator({ faults: { truncateBodyRate: 1 } });
    const res = await request(`${emulator.url}accounts?$select=name&$top=20`);
    expect(res.statusCode).toBe(200);
    const promised = Number(res.headers['content-length']);
    expect(promised).toBeGreaterThan(100);
    await expect(res.body.text()).rejects.toThrow();
  });

  it('sends a body slowly in pieces, complete in the end', async () => {
    emulator = await startEmulator({ faults: { slowBodyRate: 1, slowBodyChunkBytes: 200, slowBodyChunkDelayMs: 30 } });
    const started = Date.now();
    const res = await request(`${emulator.url}accounts?$select=name&$top=10`);
    const text = await res.body.text();
    const pieces = Math.ceil(Buffer.byteLength(text) / 200);
    expect(pieces).toBeGreaterThan(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual((pieces - 1) * 30);
    expect(JSON.parse(text).value).toHaveLength(10);
  });

  it('answers 429 in bursts of the configured length with Retry-After', async () => {
    emulator = await startEmulator({ faults: { seed: 5, throttleBurstRate: 0.05, throttleBurstLength: 3, throttleRetryAfterSeconds: 2 } });
    const marks: string[] = [];
    for (let i = 0; i < 150; i++) {
      const res = await request(`${emulator.url}WhoAmI`);
      const body = (await res.body.json()) as any;
      if (res.statusCode === 429) {
        expect(res.headers['retry-after']).toBe('2');
        expect(body.error.code).toBe('0x80072322');
      }
      marks.push(res.statusCode === 429 ? 'T' : '.');
    }
    const bursts = marks.join('').match(/T+/g) ?? [];
    expect(bursts.length).toBeGreaterThanOrEqual(2);
    for (const burst of bursts) expect(burst.length % 3).toBe(0);
  });

  it("answers F&O's bursts with its resource-based throttling message", async () => {
    emulator = await startEmulator({ edition: 'finops', faults: { throttleBurstRate: 1, throttleBurstLength: 1 } });
    const res = await request(`${emulator.url}LegalEntities`);
    expect(res.statusCode).toBe(429);
    expect(await res.body.json()).toEqual({ error: { code: '', message: 'This request could not be processed at this time due to system experiencing high resource utilization.' } });
  });

  it('switches faults at run time and refuses bad options with 400', async () => {
    emulator = await startEmulator();
    expect(await statusOf(`${emulator.url}WhoAmI`)).toBe(200);
    expect((await setFaults({ serverErrorRate: 1, serverErrorStatus: 502 })).status).toBe(200);
    expect(await statusOf(`${emulator.url}WhoAmI`)).toBe(502);
    expect(await statusOf(`${emulator.origin}/_emulator/stats`)).toBe(200); // control endpoints are exempt
    const bad = await setFaults({ serverErrorRate: 3 } as FaultOptions);
    expect(bad).toMatchObject({ status: 400, json: { error: { message: 'faults.serverErrorRate must be between 0 and 1, got 3' } } });
    expect(await statusOf(`${emulator.url}WhoAmI`)).toBe(502); // the old options stay in force
  });
});
