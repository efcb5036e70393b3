/**
 * Translation tests: every statement of the fixture files planned against its edition's catalog,
 * with the exact requests, headers and local/direct outcome the file states. Pure and offline.
 * Also checks on every Dataverse request: no `$skip`, no `in` operator, and valid OData syntax.
 */
import { basename, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DynasqlError } from '../../src/errors/index.js';
import { readFixtures } from './fixture-file.js';
import { filterSyntax, invalidOData } from './odata-oracle.js';
import { planFor, requestsOf, type FixtureEdition } from './translate.js';
import type { RemoteLanguage } from '../../src/pushdown/index.js';

/** each file with its edition, its least number of fixtures, and the Remote Language it states (OData: the OData form) */
const FILES: [FixtureEdition, string, number, RemoteLanguage][] = [
  ['dataverse', resolve(import.meta.dirname, 'dataverse.fixtures'), 100, 'odata'],
  ['finops', resolve(import.meta.dirname, 'finops.fixtures'), 40, 'odata'],
  // translation only: the local engine's trailing-blank rule is not the end-to-end runs' reference yet
  ['dataverse', resolve(import.meta.dirname, 'trailing-blanks.fixtures'), 5, 'odata'],
  ['dataverse', resolve(import.meta.dirname, 'fetchxml.fixtures'), 20, 'auto'],
  // translation only: end to end the statement's instant is the clock's
  ['dataverse', resolve(import.meta.dirname, 'constant-folding.fixtures'), 5, 'odata'],
  ['dataverse', resolve(import.meta.dirname, 'display-columns.fixtures'), 20, 'odata'],
];

for (const [fileEdition, file, atLeast, fileLanguage] of FILES) {
  const fixtures = readFixtures(file);

  describe(`${basename(file)} translation fixtures`, () => {
    it('has fixtures', () => expect(fixtures.length).toBeGreaterThan(atLeast));

    for (const fixture of fixtures) {
      const edition = fixture.edition ?? fileEdition;
      it(`line ${fixture.line}: ${fixture.title || fixture.sql}`, () => {
        if (fixture.error) {
          let thrown: unknown;
          try {
            planFor(edition, fixture.sql, fixture.params, true, fixture.language ?? fileLanguage);
          } catch (error) {
            thrown = error;
          }
          expect(thrown, 'expected an error').toBeInstanceOf(DynasqlError);
          expect((thrown as DynasqlError).code).toBe(fixture.error);
          return;
        }
        const plan = planFor(edition, fixture.sql, fixture.params, true, fixture.language ?? fileLanguage);
        expect(requestsOf(plan)).toEqual(fixture.requests);
        expect(plan.output.kind).toBe(fixture.result);
        const headers = plan.scans.flatMap((s) => (s.kind === 'remoteScan' ? Object.entries(s.request.headers).map(([k, v]) => `${k}: ${v}`) : []));
        for (const header of fixture.headers) expect(headers).toContain(header);
        for (const url of requestsOf(plan).filter((u) => !u.startsWith('FETCH '))) {
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
