/**
 * `npm run fuzz -- --count 50000 --seed N [--mode select|partition|write] [--features a,b | -a,-b] [--rows 300] [--paged 3000]
 *   [--remote-language auto|odata|fetchxml|off]` (the same rows are expected whichever language reads them):
 * runs the randomized differential test on demand and prints each disagreement reduced to a
 * minimal statement, with both answers, then the totals by class.
 */
import { parseArgs } from 'node:util';
import { classOf, jsonSafe, minimal, newStats, parseFeatures, record, runCase, runPartition, startFinopsWorlds, startWorld, type Stats } from './harness.js';
import { openOracle } from './oracle.js';
import { renderSql } from './render-sql.js';
import { runWriteCases } from './write-mode.js';

export async function main(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      count: { type: 'string', default: '2000' },
      seed: { type: 'string', default: String(Date.now() % 1_000_000) },
      mode: { type: 'string', default: 'select' },
      features: { type: 'string' },
      rows: { type: 'string', default: '300' },
      /** a second Dataverse world whose 2 × rows contacts pass one 5,000-row page; every 25th statement runs there ('0': none) */
      paged: { type: 'string', default: '3000' },
      shrink: { type: 'string', default: '20' },
      edition: { type: 'string', default: 'dataverse' },
      'remote-language': { type: 'string', default: 'auto' },
    },
  });
  const count = Number(values.count);
  const seed = Number(values.seed);
  const mode = values.mode as 'select' | 'partition' | 'write';
  const features = parseFeatures(values.features);
  // the result-type check is switched like a feature (`--features -coltypes` leaves it out)
  const checkTypes = features.has('coltypes');
  const language = values['remote-language'];
  const finops = values.edition === 'finops';
  const pagedRows = finops || mode === 'write' ? 0 : Number(values.paged);
  out(`fuzz: mode ${mode}, ${count} statements, seed ${seed}, rows ${values.rows}${pagedRows ? `, every 25th over ${pagedRows} rows (paged)` : ''}, remote language ${language}`);
  const worlds = finops
    ? await startFinopsWorlds(Number(values.rows), await openOracle(), language)
    : [await startWorld(Number(values.rows), { remoteLanguage: language })];
  const world = worlds[0]!;
  const paged = pagedRows ? await startWorld(pagedRows, { db: world.db, schema: 'paged', remoteLanguage: language }) : undefined;
  const stats: Stats = newStats();
  try {
    if (mode === 'write') {
      await runWriteCases(world, seed, count, features, stats, out);
    } else {
      const generators = worlds.map((w) => ({ w, gen: w.generator(seed, features) }));
      const pagedGenerator = paged ? { w: paged, gen: paged.generator(seed + 1, features) } : undefined;
      const shrinkBudget = Number(values.shrink);
      const reported = new Set<string>();
      const started = Date.now();
      for (let i = 0; i < count; i++) {
        const onPaged = pagedGenerator !== undefined && i % 25 === 24;
        const { w: here, gen } = onPaged ? pagedGenerator : generators[i % generators.length]!;
        const g = gen.next();
        // the partitioning oracle counts the rows of one table: statements of other shapes are skipped
        if (mode === 'partition' && (!g.q.where || g.q.union || g.q.groupBy || g.q.from.k !== 'table' || g.q.joins)) continue;
        const outcome = mode === 'partition' ? await runPartition(here, g.q, g.dialect) : await runCase(here, g.q, g.dialect, checkTypes);
        const cls = `${worlds.length > 1 ? (i % 2 ? 'cross-company ' : 'one company ') : ''}${onPaged ? 'paged ' : ''}${outcome.typeClass ?? classOf(g)}`;
        record(stats, outcome, cls);
        if (outcome.kind === 'disagree' || outcome.kind === 'error') {
          const key = outcome.kind === 'error' ? `E ${outcome.errorClass}` : `D ${cls}`;
          if (!reported.has(key) && reported.size < shrinkBudget) {
            reported.add(key);
            const small = await minimal(here, g, mode, checkTypes);
            const r = renderSql(small.q, g.dialect);
            out(`\n#${i} ${outcome.kind === 'error' ? 'ERROR ON VALID SQL' : 'DISAGREEMENT'} [${key}] (${g.dialect})`);
            out(`  minimal: ${r.sql}${Object.keys(r.params).length ? `   params ${JSON.stringify(r.params, jsonSafe)}` : ''}`);
            out(`  ${small.outcome.detail ?? outcome.detail}`);
            out(`  original: ${outcome.sql}`);
          }
        }
        if ((i + 1) % 1000 === 0) {
          const total = (m: Map<string, unknown[]>) => [...m.values()].reduce((n, l) => n + l.length, 0);
          out(`… ${i + 1} statements, ${Math.round((Date.now() - started) / 1000)} s: ${stats.run} run, ${stats.agree} agree, ${total(stats.disagree)} disagree, ${total(stats.errors)} errors`);
        }
      }
    }
  } finally {
    await paged?.close();
    for (const w of worlds) await w.close();
    if (values.edition === 'finops') await world.db.close();
  }
  out(summary(stats));
  return stats.disagree.size + stats.errors.size === 0 ? 0 : 1;
}

export function summary(stats: Stats): string {
  const lines = [`\nstatements run: ${stats.run}, agreements: ${stats.agree}, oracle errors (generator faults): ${stats.oracleErrors.length}`];
  const sum = (m: Map<string, unknown[]>) => [...m.values()].reduce((n, l) => n + l.length, 0);
  lines.push(`disagreements: ${sum(stats.disagree)}`);
  for (const [k, l] of [...stats.disagree].sort((a, b) => b[1].length - a[1].length)) lines.push(`  ${l.length}\t${k}`);
  lines.push(`errors on valid SQL: ${sum(stats.errors)}`);
  for (const [k, l] of [...stats.errors].sort((a, b) => b[1].length - a[1].length)) lines.push(`  ${l.length}\t${k}`);
  for (const o of stats.oracleErrors.slice(0, 3)) lines.push(`  oracle error: ${o.detail} in ${o.sql}`);
  return lines.join('\n');
}
