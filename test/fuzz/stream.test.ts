/**
 * `npm run fuzz -- --jobs N` splits one seed's stream: the union of the jobs' statements is the
 * single-process stream, each statement in exactly one job, at the same index (test/fuzz/stream.ts).
 * Generation only: no emulator, no oracle.
 */
import { describe, expect, it } from 'vitest';
import { FEATURES, Generator } from './generate.js';
import { renderSql } from './render-sql.js';
import { shareOfStream, type StreamSource } from './stream.js';

const SEED = 4711;
const COUNT = 400;

/** two main sources (as F&O's Cross Company off and on) and a paged one, each with its own generator */
function sources(): { main: StreamSource<string>[]; paged: StreamSource<string> } {
  const features = new Set(FEATURES);
  const pools = new Map<string, unknown[]>();
  return {
    main: ['one', 'two'].map((w) => ({ w, gen: new Generator(SEED, features, pools) })),
    paged: { w: 'paged', gen: new Generator(SEED + 1, features, pools) },
  };
}

const text = (item: { i: number; w: string; g: { q: Parameters<typeof renderSql>[0]; dialect: 'tsql' | 'postgresql' } }) => {
  const r = renderSql(item.g.q, item.g.dialect);
  return `${item.i} ${item.w} ${r.sql} ${JSON.stringify(r.params, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`;
};

describe("the fuzz run's split into jobs", () => {
  it.each([2, 3])('the union of %i jobs is the single-process stream, each statement once', (jobs) => {
    const whole = sources();
    const single = [...shareOfStream(COUNT, whole.main, whole.paged)].map(text);
    expect(single).toHaveLength(COUNT);
    const parts: string[][] = [];
    for (let index = 0; index < jobs; index++) {
      // each job has generators of its own, as each worker process does
      const own = sources();
      parts.push([...shareOfStream(COUNT, own.main, own.paged, { index, of: jobs })].map(text));
    }
    expect(parts.map((p) => p.length).reduce((a, b) => a + b, 0)).toBe(COUNT);
    for (const [index, part] of parts.entries()) expect(part.every((line) => Number(line.split(' ')[0]) % jobs === index)).toBe(true);
    const union = parts.flat().sort((a, b) => Number(a.split(' ')[0]) - Number(b.split(' ')[0]));
    expect(union).toEqual(single);
  });

  it('every 25th statement comes from the paged world, the rest go to the main ones by index', () => {
    const { main, paged } = sources();
    const worlds = [...shareOfStream(50, main, paged)].map((x) => x.w);
    expect(worlds.slice(22, 26)).toEqual(['one', 'two', 'paged', 'two']);
    expect(worlds.filter((w) => w === 'paged')).toHaveLength(2);
  });

  it('`from` runs the same statements at the same indices as the whole stream, from that index on', () => {
    const whole = sources();
    const single = [...shareOfStream(COUNT, whole.main, whole.paged)].map(text);
    const own = sources();
    const tail = [...shareOfStream(COUNT, own.main, own.paged, { index: 1, of: 2 }, 301)].map(text);
    expect(tail).toEqual(single.filter((line) => Number(line.split(' ')[0]) >= 301 && Number(line.split(' ')[0]) % 2 === 1));
  });

  it('refuses a share outside the jobs', () => {
    const { main } = sources();
    expect(() => [...shareOfStream(5, main, undefined, { index: 2, of: 2 })]).toThrow(/share 2 of 2/);
  });
});
