/**
 * Runs an edition's fixture statements end to end against one emulator, twice: with push-down on
 * and with push-down off (everything but $select runs locally). Both must return the same rows, the
 * push-down run must send exactly the fixture's requests, and every request must be valid OData
 * (on Dataverse also: no `$skip`, no `in` operator).
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';
import { readFixtures } from '../translate/fixture-file.js';
import { filterSyntax, invalidOData } from '../translate/odata-oracle.js';
import { readableRequest, type FixtureEdition } from '../translate/translate.js';
import { asMultiset, pickIsArbitrary } from './compare-rows.js';

/** `file` (default: the edition's) planned with `Remote Language=language` (default: OData, the form those files state) */
export function describeFixturesEndToEnd(edition: FixtureEdition, file = `${edition}.fixtures`, language = 'OData'): void {
  const fixtures = readFixtures(resolve(import.meta.dirname, `../translate/${file}`)).filter((f) => !f.error && !f.language);
  let emulator: RunningEmulator;
  let pushed: Connection;
  let local: Connection;
  let root: string;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, rows: 60, edition });
    root = new URL(emulator.url).pathname;
    pushed = await connect(`Url=${emulator.url};Remote Language=${language}`);
    local = await connect(`Url=${emulator.url};Pushdown=false`);
  });

  afterAll(async () => {
    await pushed?.close();
    await local?.close();
    await emulator?.close();
  });

  describe(`${file} end to end, push-down on and off`, () => {
    for (const fixture of fixtures) {
      it(`line ${fixture.line}: ${fixture.title || fixture.sql}`, async () => {
        const before = emulator.requests().length;
        const withPushdown = await pushed.query(fixture.sql, fixture.params);
        // the metadata API's answers (choice labels, primary names), the organization's fiscal settings and its currency count are
        // read once per connection: not the fixture's requests
        const sent = emulator.requests().slice(before).map((r) => readableRequest(r.url.slice(root.length)))
          .filter((url) => !url.startsWith('EntityDefinitions(') && !url.startsWith('organizations?') && !url.startsWith('transactioncurrencies?$select=transactioncurrencyid&$top=2'));
        if (fixture.runRequests) {
          expect(sent).toHaveLength(fixture.runRequests.length);
          fixture.runRequests.forEach((pattern, i) => expect(sent[i]).toMatch(new RegExp(`^${pattern.split('…').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`)));
        } else if (!/^\s*EXPLAIN/i.test(fixture.sql)) expect(sent).toEqual(fixture.requests);
        for (const url of sent.filter((u) => !u.startsWith('FETCH '))) {
          expect(invalidOData(url), url).toBeUndefined();
          if (edition === 'dataverse') {
            expect(url).not.toMatch(/[?&]\$skip=/);
            expect(filterSyntax(url)).not.toMatch(/\sin\s*\(/i);
          }
        }
        const allLocal = await local.query(fixture.sql, fixture.params);
        expect(withPushdown.columns.map((c) => c.name)).toEqual(allLocal.columns.map((c) => c.name));
        if (/^\s*EXPLAIN/i.test(fixture.sql)) return;
        if (pickIsArbitrary(fixture.sql) && !/ORDER BY/i.test(fixture.sql)) {
          expect(withPushdown.rowCount).toBe(allLocal.rowCount);
        } else {
          expect(asMultiset(withPushdown.rows)).toEqual(asMultiset(allLocal.rows));
        }
      });
    }
  });
}
