import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ODataError } from '../../src/emulator/errors.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { parseOption } from '../../src/emulator/query/parse.js';
import { get } from './helpers.js';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, rows: 20 });
});
afterAll(async () => emu?.close());

const TOKENS = ['name', 'revenue', 'statecode', '_ownerid_value', 'primarycontactid/fullname', 'contact_customer_accounts', ' eq ', ' ne ', ' gt ',
  ' and ', ' or ', 'not ', '(', ')', ',', "'", "''", "'x'", '1', '-2.5', 'null', 'true', '2024-01-01', '2024-01-01T00:00:00Z',
  '00000000-0000-0000-0000-000000000001', 'contains(', 'startswith(', '/any(c:c/fullname eq ', 'Microsoft.Dynamics.CRM.In(', 'PropertyName=',
  'PropertyValues=', '["a"]', '@p1', ' in ', 'guid\'', '$count', ' with sum as ', 'groupby((', 'aggregate(', ';', '$select=', '$top=1', ' desc'];
const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 12 }).map((t) => t.join(''));
const text = fc.oneof(fc.string({ maxLength: 40 }), tokenSoup);

describe('the query grammar never crashes', () => {
  it('parses or fails with an ODataError for any input', () => {
    fc.assert(fc.property(text, fc.constantFrom('filter', 'orderby', 'select', 'expand', 'apply', 'aliasValue'), (input, rule) => {
      try {
        parseOption(rule as 'filter', input);
      } catch (error) {
        expect(error).toBeInstanceOf(ODataError);
        expect((error as ODataError).status).toBe(400);
      }
    }), { numRuns: 3000 });
  });

  it('answers any query option over HTTP with 200 or a 4xx error body, never a 5xx', async () => {
    await fc.assert(fc.asyncProperty(text, fc.constantFrom('$filter', '$orderby', '$select', '$expand', '$apply'), async (input, option) => {
      const r = await get(`${emu.url}accounts?${option}=${encodeURIComponent(input)}&$top=2&@p1=1`);
      expect(r.status === 200 || (r.status >= 400 && r.status < 500)).toBe(true);
      if (r.status !== 200) expect(typeof r.json.error.message).toBe('string');
    }), { numRuns: 150 });
  });

  it('answers a path of slashes alone as the service root (seed 717719795 found `//` answered 500)', async () => {
    for (const path of ['', '/', '//', '///']) {
      const r = await get(`${emu.url}${path}`);
      expect(r.status, path).toBe(200);
      expect(r.json.value.length).toBeGreaterThan(0);
    }
  });

  it('answers random resource paths without a 5xx', async () => {
    const segment = fc.oneof(fc.constantFrom('accounts', 'accounts(', ')', '$count', '$ref', 'WhoAmI', "(name='x')", '/', 'Microsoft.Dynamics.CRM.QualifyLead', '%', "'", 'name'), fc.string({ maxLength: 8 }));
    await fc.assert(fc.asyncProperty(fc.array(segment, { maxLength: 5 }), async (parts) => {
      const path = parts.join('').replace(/[?#]/g, '');
      const r = await get(`${emu.url}${encodeURI(path).replace(/%25/g, '%')}`);
      expect(r.status).toBeLessThan(500);
    }), { numRuns: 100 });
  });
});
