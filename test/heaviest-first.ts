/**
 * The order vitest's two workers take test files in: the heaviest files first, so that the suite does not
 * end with one worker alone on a long file while the other is idle. On a fresh clone (CI) vitest has no
 * record of earlier durations and would order by file size, which puts the short but slow fuzz files last.
 *
 * The list holds the files that each took more than ~20 s of a worker in a full run (largest first; last taken
 * from a run at load 5-8, where fetchxml-e2e and connection/cancel came to ~20 s; the pack test too, whose build
 * costs more on a busy machine); keep it to those, and update it when a file's cost changes a lot. Files not listed
 * follow in vitest's own order.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const HEAVIEST = [
  'test/fuzz/select.test.ts',
  'test/fuzz/select-worlds.test.ts',
  'test/writes/retried-errors.test.ts',
  'test/pgwire/cancel.test.ts',
  'test/sync/crash-sync.test.ts',
  'test/pgwire/catalog-engine-start.test.ts',
  'test/fuzz/write.test.ts',
  'test/http/shared-budget.test.ts',
  'test/fetchxml/fetchxml-e2e.test.ts',
  'test/connection/cancel.test.ts',
  'test/package/pack.test.ts',
];

function rank(file: string): number {
  const normalized = file.replaceAll('\\', '/');
  const index = HEAVIEST.findIndex((heavy) => normalized.endsWith(`/${heavy}`));
  return index < 0 ? HEAVIEST.length : index;
}

export class HeaviestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    // Array.prototype.sort is stable: the files not listed keep vitest's order among themselves
    return [...ordered].sort((a, b) => rank(a.moduleId) - rank(b.moduleId));
  }
}
