import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { get, send } from './helpers.js';

/** exact sum of 4-decimal values, as text-free integers of ten-thousandths */
const sum4 = (values: number[]) => values.reduce((s, v) => s + Math.round(v * 10_000), 0) / 10_000;

describe('currencies (src/emulator/currency.ts)', () => {
  let single: RunningEmulator;
  let multi: RunningEmulator;
  beforeAll(async () => {
    [single, multi] = await Promise.all([startEmulator({ rows: 60, seed: 3 }), startEmulator({ rows: 60, seed: 3, multiCurrency: true })]);
  });
  afterAll(async () => {
    await Promise.all([single, multi].map((e) => e?.close()));
  });

  const accounts = async (emu: RunningEmulator) =>
    (await get(`${emu.url}accounts?$select=revenue,revenue_base,exchangerate,address1_city`)).json.value as { revenue: number | null; revenue_base: number | null; exchangerate: number; address1_city: string }[];
  const fetch = (emu: RunningEmulator, xml: string) => get(`${emu.url}accounts?fetchXml=${encodeURIComponent(xml)}`);

  it('has one currency by default, every record in it at rate 1, its base values its values', async () => {
    expect(Number((await get(`${single.url}transactioncurrencies/$count`)).text)).toBe(1);
    const rows = await accounts(single);
    expect(rows.every((r) => r.exchangerate === 1 && r.revenue_base === r.revenue)).toBe(true);
  });

  it('with multiCurrency has EUR and JPY beside USD, and base values = value / exchangerate to 4 places', async () => {
    const currencies = (await get(`${multi.url}transactioncurrencies?$select=isocurrencycode,exchangerate`)).json.value;
    expect(currencies.map((c: { isocurrencycode: string; exchangerate: number }) => [c.isocurrencycode, c.exchangerate])).toEqual([['USD', 1], ['EUR', 0.92], ['JPY', 151.2]]);
    const rows = (await accounts(multi)).filter((r) => r.revenue !== null);
    const foreign = rows.filter((r) => r.exchangerate !== 1);
    expect(foreign.length).toBeGreaterThan(2);
    for (const r of rows) expect(r.revenue_base).toBe(Math.round((r.revenue! / r.exchangerate) * 10_000) / 10_000);
    // the same seed gives the same values in either mode; only the currency and the base values differ
    const plain = await accounts(single);
    expect(rows.map((r) => r.revenue)).toEqual(plain.filter((r) => r.revenue !== null).map((r) => r.revenue));
  });

  it('aggregates a money column over its base values when there are several currencies ($apply and FetchXML)', async () => {
    const rows = (await accounts(multi)).filter((r) => r.revenue !== null);
    const base = rows.map((r) => r.revenue_base!);
    const apply = (await get(`${multi.url}accounts?$apply=aggregate(revenue with sum as s,revenue with min as lo,revenue with max as hi)`)).json.value[0];
    expect(apply).toMatchObject({ s: sum4(base), lo: Math.min(...base), hi: Math.max(...base) });
    expect(apply.s).not.toBe(sum4(rows.map((r) => r.revenue!)));
    const fx = (await fetch(multi, '<fetch aggregate="true"><entity name="account"><attribute name="revenue" alias="s" aggregate="sum"/>'
      + '<attribute name="revenue" alias="a" aggregate="avg"/><attribute name="revenue" alias="n" aggregate="countcolumn"/></entity></fetch>')).json.value[0];
    expect(fx.s).toBe(sum4(base));
    expect(fx.a).toBeCloseTo(sum4(base) / base.length, 6);
    expect(fx.n).toBe(rows.length);
  });

  it('aggregates the column itself with one currency, and base values after a second currency is created', async () => {
    const rows = (await accounts(single)).filter((r) => r.revenue !== null);
    const sum = async () => (await get(`${single.url}accounts?$apply=aggregate(revenue with sum as s)`)).json.value[0].s;
    expect(await sum()).toBe(sum4(rows.map((r) => r.revenue!)));
    const created = await send('POST', `${single.url}transactioncurrencies`, { currencyname: 'Euro', isocurrencycode: 'EUR', currencysymbol: '€', exchangerate: 0.5, currencyprecision: 2 });
    expect(created.status).toBe(204);
    const written = await send('POST', `${single.url}accounts`, {
      name: 'Euro account', revenue: 1000, exchangerate: 0.5, 'transactioncurrencyid@odata.bind': created.headers['odata-entityid']!.replace(single.url, '/'),
    });
    expect(written.status).toBe(204);
    expect(await sum()).toBe(sum4([...rows.map((r) => r.revenue!), 2000]));
    single.reset();
  });
});
