/**
 * Translation tests: every statement of the fixture files planned against its edition's catalog,
 * with the exact requests, headers and local/direct outcome the file states. Pure and offline.
 * Also checks on every Dataverse request: no `$skip`, no `in` operator, and valid OData syntax.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DynasqlError } from '../../src/errors/index.js';
import { readFixtures } from './fixture-file.js';
import { filterSyntax, invalidOData } from './odata-oracle.js';
import { planFor, requestsOf, type FixtureEdition } from './translate.js';

const FILES: [FixtureEdition, string][] = [
  ['dataverse', resolve(import.meta.dirname, 'dataverse.fixtures')],
  ['finops', resolve(import.meta.dirname, 'finops.fixtures')],
];

for (const [edition, file] of FILES) {
  const fixtures = readFixtures(file);

  describe(`${edition} translation fixtures`, () => {
    it('has fixtures', () => expect(fixtures.length).toBeGreaterThan(edition === 'dataverse' ? 100 : 40));

    for (const fixture of fixtures) {
      it(`line ${fixture.line}: ${fixture.title || fixture.sql}`, () => {
        if (fixture.error) {
          let thrown: unknown;
          try {
            planFor(edition, fixture.sql, fixture.params);
          } catch (error) {
            thrown = error;
          }
          expect(thrown, 'expected an error').toBeInstanceOf(DynasqlError);
          expect((thrown as DynasqlError).code).toBe(fixture.error);
          return;
        }
        const plan = planFor(edition, fixture.sql, fixture.params);
        expect(requestsOf(plan)).toEqual(fixture.requests);
        expect(plan.output.kind).toBe(fixture.result);
        const headers = plan.scans.flatMap((s) => (s.kind === 'remoteScan' ? Object.entries(s.request.headers).map(([k, v]) => `${k}: ${v}`) : []));
        for (const header of fixture.headers) expect(headers).toContain(header);
        for (const url of requestsOf(plan)) {
          expect(invalidOData(url), url).toBeUndefined();
          if (edition === 'dataverse') {
            expect(url).not.toMatch(/[?&]\$skip=/);
            expect(filterSyntax(url)).not.toMatch(/\sin\s*\(/i);
          }
        }
      });
    }
  });
}
