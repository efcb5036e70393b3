import type { Feature } from './generate.js';
import { FETCHXML_FEATURES, SUITE_FEATURES } from './suite-features.js';

/**
 * How the in-suite differential test spends issue 14's 2,000 generated SELECTs (each against the
 * oracle) over its campaigns, in two files so that neither is the suite's critical path:
 * test/fuzz/select.test.ts (the main campaign, the partitioning oracle) and
 * test/fuzz/select-worlds.test.ts (read in small pages, F&O, each Remote Language). The main campaign
 * takes what the others leave.
 */
export const SUITE_SEED = 20261207;
export const SUITE_STATEMENTS = 2000;

/** each output column's reported type is checked against T-SQL's too (test/fuzz/result-types.ts) */
export const CHECK_TYPES = SUITE_FEATURES.has('coltypes');

/**
 * statements read in pages of PAGE_SIZE rows (the connection's Page Size), so that every read of a whole table
 * (300 accounts, 600 contacts) spans pages: alternately in ranges of createdon at once past a full first page
 * (Parallel Reads=Auto) and page after page, following every nextLink or paging cookie (Parallel Reads=Off); the
 * paths of a table past the service's 5,000-row page, at a tenth of the rows to read
 */
export const PAGED = 60;
export const PAGE_SIZE = 100;
/** statements over F&O's CustomersV3, alternately with Cross Company off and on */
export const FINOPS = 200;

/**
 * Issue 18: the same statements with Remote Language=Auto, forced to OData, forced to FetchXML and
 * with push-down off, over the same emulator and oracle, plus a few read in pages of PAGE_SIZE rows
 * (FetchXML paging cookies, OData nextLinks). The statements are those of the suite's features with the shapes
 * FetchXML answers whole (`fetchshape`), then some of those shapes' features only
 * (FETCHXML_FEATURES), else only a few would go as FetchXML at all.
 */
export const LANGUAGES = ['auto', 'odata', 'fetchxml', 'off'] as const;
export const LANGUAGE_STREAMS: [features: Set<Feature>, statements: number][] = [[new Set<Feature>([...SUITE_FEATURES, 'fetchshape']), 70], [FETCHXML_FEATURES, 60]];
export const LANGUAGE_PAGED = 6;
export const LANGUAGE_STATEMENTS = LANGUAGE_STREAMS.reduce((n, [, k]) => n + k, LANGUAGE_PAGED);

/** the main campaign: Dataverse's 300 accounts and 600 contacts, Remote Language=Auto */
export const MAIN = SUITE_STATEMENTS - PAGED - FINOPS - LANGUAGES.length * LANGUAGE_STATEMENTS;

/** statements generated for the partitioning oracle (the single-table ones with a WHERE are checked) */
export const PARTITIONS = 200;
