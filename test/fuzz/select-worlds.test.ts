/**
 * The randomized differential test in the suite (issue 14) beyond the main campaign of
 * test/fuzz/select.test.ts: the same generator and oracle with every read of the tables spread over
 * pages (the world's 300 accounts and 600 contacts in pages of PAGE_SIZE rows), over F&O's
 * CustomersV3 with Cross Company off and on, and with each Remote Language (issue 18).
 * test/fuzz/suite-plan.ts says how many statements each campaign runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Generated } from './generate.js';
import { connect } from '../../src/index.js';
import { explainFailures, remoteLanguageSettings, requestMark, runCase, startFinopsWorlds, startWorld, type FuzzWorld, type Outcome } from './harness.js';
import { SUITE_FEATURES } from './suite-features.js';
import { CHECK_TYPES, FINOPS, LANGUAGE_PAGED, LANGUAGE_STATEMENTS, LANGUAGE_STREAMS, LANGUAGES, PAGE_SIZE, PAGED, SUITE_SEED as SEED } from './suite-plan.js';

let world: FuzzWorld;
/**
 * The world read with Page Size=PAGE_SIZE, connections of their own over the same emulator and oracle: `paged` past a
 * full first page reads in ranges of createdon at once (Parallel Reads=Auto: each range's few rows fit a page), `inOrder`
 * follows every nextLink one page after another (Parallel Reads=Off)
 */
let paged: FuzzWorld;
let inOrder: FuzzWorld;
let finops: FuzzWorld[] = [];
/** per remote language: the world read as it is and in pages, each with a connection of that setting (the emulator and oracle shared) */
const languages = new Map<string, { world: FuzzWorld; paged: FuzzWorld }>();

/**
 * The oracle's answer to a statement does not depend on the remote language or the page size dynasql
 * reads with: the four campaigns run the same statements, so each is asked once and the answer shared.
 */
function answeringOnce(w: FuzzWorld): FuzzWorld {
  const answers = new Map<string, ReturnType<FuzzWorld['query']>>();
  return {
    ...w,
    query: (sql) => {
      let answer = answers.get(sql);
      if (!answer) {
        answer = w.query(sql);
        answers.set(sql, answer);
      }
      return answer;
    },
  };
}

beforeAll(async () => {
  world = answeringOnce(await startWorld(300));
  finops = await startFinopsWorlds(100, world.db);
  // Auto is the world's own setting: its connection serves it
  const over = async (language: string, pages: string) => ({ ...world, conn: language === 'auto' && !pages ? world.conn : await connect(`Url=${world.emulator.url}${remoteLanguageSettings(language)}${pages}`) });
  for (const language of LANGUAGES) languages.set(language, { world: await over(language, ''), paged: await over(language, `;Page Size=${PAGE_SIZE}`) });
  paged = languages.get('auto')!.paged;
  inOrder = await over('auto', `;Page Size=${PAGE_SIZE};Parallel Reads=Off`);
}, 600_000);
afterAll(async () => {
  for (const f of languages.values()) {
    if (f.world.conn !== world.conn) await f.world.conn.close();
    await f.paged.conn.close();
  }
  await inOrder?.conn.close();
  for (const w of finops) await w.close();
  await world?.close();
});

describe('randomized differential test against the oracle: other worlds and settings', () => {
  it(`${PAGED} generated SELECTs read in pages of ${PAGE_SIZE} rows, in ranges at once and page after page, give the oracle's answer`, async () => {
    // every table read whole spans pages: contact's 600 rows are six or more requests either way
    for (const w of [paged, inOrder]) {
      const before = world.emulator.requests().length;
      expect((await w.conn.query('SELECT contactid FROM contact')).rows).toHaveLength(w.tables.get('contact')!.length);
      expect(world.emulator.requests().length - before).toBeGreaterThanOrEqual(w.tables.get('contact')!.length / PAGE_SIZE);
    }
    const generator = paged.generator(SEED + 2, SUITE_FEATURES);
    const failures = new Map<FuzzWorld, { g: Generated; outcome: Outcome }[]>();
    for (let i = 0; i < PAGED; i++) {
      const g = generator.next();
      const w = i % 2 ? inOrder : paged;
      const outcome = await runCase(w, g.q, g.dialect, CHECK_TYPES);
      if (outcome.kind !== 'agree') failures.set(w, [...(failures.get(w) ?? []), { g, outcome }]);
    }
    const explained: string[] = [];
    for (const [w, f] of failures) explained.push(`${w === inOrder ? 'page after page' : 'in ranges'}: ${await explainFailures(f, 'select', w, CHECK_TYPES)}`);
    if (explained.length) expect.fail(explained.join('\n'));
  }, 900_000);

  it(`${FINOPS} generated SELECTs over F&O's CustomersV3, Cross Company off and on, give the oracle's answer`, async () => {
    const generators = finops.map((w, n) => ({ w, gen: w.generator(SEED + 3 + n, SUITE_FEATURES) }));
    const failures: string[] = [];
    for (let i = 0; i < FINOPS; i++) {
      const { w, gen } = generators[i % 2]!;
      const g = gen.next();
      const outcome = await runCase(w, g.q, g.dialect, CHECK_TYPES);
      if (outcome.kind !== 'agree' && failures.length < 3) failures.push(`${await explainFailures([{ g, outcome }], 'select', w, CHECK_TYPES)} (Cross Company ${i % 2 ? 'on' : 'off'})`);
    }
    if (failures.length) expect.fail(failures.join('\n'));
  }, 900_000);

  for (const language of LANGUAGES) {
    const setting = language === 'off' ? 'push-down off' : `Remote Language=${language}`;
    it(`${LANGUAGE_STATEMENTS} generated SELECTs (${LANGUAGE_PAGED} of them paged) with ${setting} give the oracle's answer`, async () => {
      const { world: here, paged: herePaged } = languages.get(language)!;
      const failures: string[] = [];
      let failed = 0;
      /** statements that sent FetchXML, and statements that sent an OData $filter or $apply */
      const sent = { fetchxml: 0, odata: 0 };
      const streams = [...LANGUAGE_STREAMS.map(([features, n], k) => [here, SEED + 5 + k, features, n] as const), [herePaged, SEED + 7, LANGUAGE_STREAMS[0]![0], LANGUAGE_PAGED] as const];
      for (const [w, seed, features, n] of streams) {
        const generator = w.generator(seed, features);
        for (let i = 0; i < n; i++) {
          const g = generator.next();
          const mark = requestMark(w);
          const outcome = await runCase(w, g.q, g.dialect, CHECK_TYPES);
          const what = mark.sent();
          if (what.fetchxml) sent.fetchxml += 1;
          if (what.odata) sent.odata += 1;
          if (outcome.kind === 'agree') continue;
          failed += 1;
          if (failures.length < 3) failures.push(await explainFailures([{ g, outcome }], 'select', w, CHECK_TYPES));
        }
      }
      if (failed) expect.fail(`${failed} statements disagree or fail (${setting}); the first:\n${failures.join('\n')}`);
      // the setting took effect: FetchXML only where allowed, and then for a good share of the statements
      if (language === 'off') expect(sent).toEqual({ fetchxml: 0, odata: 0 });
      if (language === 'odata') expect(sent.fetchxml).toBe(0);
      if (language === 'fetchxml') expect(sent.fetchxml).toBeGreaterThan(LANGUAGE_STATEMENTS / 6);
      if (language !== 'off') expect(sent.odata).toBeGreaterThan(0);
    }, 900_000);
  }
});
