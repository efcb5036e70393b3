/**
 * A collection page's records written as text straight from the rows (http/row-json.ts, the read
 * with no `$expand` and no annotations asked for) are the same text the general path makes with
 * renderRecord and JSON.stringify: the same request with `odata.include-annotations="-*"` (which asks
 * for none, but takes the general path) must answer the same body, for every table's every column,
 * with written text that needs escaping, nulls, and a decimal's exact digits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { call, get, send } from './helpers.js';

let emu: RunningEmulator;
const ONE_EACH = ['a "quote"', 'back\\slash', 'tab\there', 'bell \u0007', 'del \u007f', 'line \u2028 separator', 'emoji 😀', 'lone \ud83d surrogate', 'é accent'];

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rows: 40 });
  const page = await get(`${emu.url}accounts?$select=accountid&$top=${3 + ONE_EACH.length}`);
  const [a, b, c, ...rest] = page.json.value.map((r: { accountid: string }) => r.accountid);
  // one character that needs (or seems to need) escaping per name, so no other character decides how it is written
  for (const [i, text] of ONE_EACH.entries()) {
    await call(`${emu.url}accounts(${rest[i]})`, { method: 'PATCH', body: `{"name":${JSON.stringify(text)}}` });
  }
  const name = JSON.stringify('quote " backslash \\ tab \t newline \n nul \u0000 é 😀 \u2028');
  // written as text: a JavaScript number would lose the digits before they are sent
  await call(`${emu.url}accounts(${a})`, { method: 'PATCH', body: `{"name":${name},"revenue":12345678901234.5678,"description":null}` });
  await send('PATCH', `${emu.url}accounts(${b})`, { revenue: 0.1, numberofemployees: -0 });
  await send('PATCH', `${emu.url}accounts(${c})`, { name: '</script>' });
});
afterAll(async () => emu?.close());

const GENERAL = { Prefer: 'odata.include-annotations="-*"' };

describe('records written straight from the rows', () => {
  it('are the text the general renderer writes, for every table and column', async () => {
    const sets = ['accounts', 'contacts', 'opportunities', 'systemusers', 'transactioncurrencies', 'activitypointers', 'tasks'];
    for (const set of sets) {
      for (const query of ['', '?$select=createdon', '?$top=2&$count=true', '?$filter=createdon ne null&$orderby=createdon desc']) {
        const url = `${emu.url}${set}${query}`;
        const [plain, general] = [await get(url, { Prefer: 'odata.maxpagesize=7' }), await get(url, { Prefer: `odata.maxpagesize=7,${GENERAL.Prefer}` })];
        expect(plain.status, plain.text).toBe(200);
        expect(plain.text, url).toBe(general.text);
      }
    }
  });

  it('keep a decimal its written digits and escape written text as JSON.stringify does', async () => {
    const reply = await get(`${emu.url}accounts?$select=name,revenue,numberofemployees&$top=3`);
    expect(reply.text).toContain('"revenue":12345678901234.5678');
    const all = await get(`${emu.url}accounts?$select=name`);
    for (const text of ONE_EACH) expect(all.text).toContain(`"name":${JSON.stringify(text)}`);
    expect(all.text).toBe((await get(`${emu.url}accounts?$select=name`, GENERAL)).text);
    expect(reply.text).toContain(JSON.stringify('quote " backslash \\ tab \t newline \n nul \u0000 é 😀 \u2028'));
    expect(reply.text).toBe((await get(`${emu.url}accounts?$select=name,revenue,numberofemployees&$top=3`, GENERAL)).text);
  });
});
