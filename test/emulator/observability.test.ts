import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENTED_IDS, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { call, get, send } from './helpers.js';

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rows: 10 });
});
afterAll(async () => emu?.close());

describe('/_emulator endpoints', () => {
  it('records every request with the URL as received and secrets masked', async () => {
    await call(`${emu.origin}/_emulator/requests`, { method: 'DELETE' });
    const raw = `${emu.url}accounts?$filter=name%20eq%20%27O%27%27Brien%2Bco%27&$select=name`;
    await get(raw, { Authorization: 'Bearer secret-token-value', Cookie: 'session=abc' });
    await send('POST', `${emu.url}accounts`, { name: 'Logged' });
    const log = (await get(`${emu.origin}/_emulator/requests`)).json;
    expect(log).toHaveLength(2);
    expect(log[0].method).toBe('GET');
    expect(log[0].url).toBe(`/api/data/v9.2/accounts?$filter=name%20eq%20%27O%27%27Brien%2Bco%27&$select=name`);
    expect(log[0].headers.authorization).toBe('Bearer ***');
    expect(log[0].headers.cookie).toBe('***');
    expect(JSON.stringify(log)).not.toContain('secret-token-value');
    expect(log[1]).toMatchObject({ method: 'POST', body: JSON.stringify({ name: 'Logged' }) });
    expect(emu.requests()).toHaveLength(2);
  });

  it('counts requests and responses by class in /_emulator/stats', async () => {
    const before = (await get(`${emu.origin}/_emulator/stats`)).json;
    await get(`${emu.url}WhoAmI`);
    await get(`${emu.url}nosuchset`);
    const after = (await get(`${emu.origin}/_emulator/stats`)).json;
    expect(after.requests - before.requests).toBe(2);
    expect(after.responses2xx - before.responses2xx).toBe(1);
    expect(after.responses4xx - before.responses4xx).toBe(1);
  });

  it('POST /_emulator/reset restores the seed', async () => {
    expect((await send('DELETE', `${emu.url}contacts(${DOCUMENTED_IDS.contact})`)).status).toBe(204);
    expect((await get(`${emu.url}contacts(${DOCUMENTED_IDS.contact})`)).status).toBe(404);
    expect((await call(`${emu.origin}/_emulator/reset`, { method: 'POST' })).status).toBe(204);
    expect((await get(`${emu.url}contacts(${DOCUMENTED_IDS.contact})`)).status).toBe(200);
  });

  it('answers paths outside the service root with a 404 error body', async () => {
    const r = await get(`${emu.origin}/somewhere/else`);
    expect(r.status).toBe(404);
    expect(r.json.error.code).toBe('0x80060888');
  });
});
