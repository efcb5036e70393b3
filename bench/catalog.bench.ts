/**
 * Catalog benchmark: parse the real 3.8 MB fixture (target < 1 s), parse a generated 20 MB org of
 * 1,500 entity types (target < 5 s), and load the catalog back from the disk cache (target at least
 * 20× faster than parsing). Self-contained: `runCatalogBench()` returns the figures;
 * `npx tsx bench/catalog.bench.ts` prints them.
 *
 * Each figure is the median of several runs after one warm-up, in one process, so both sides of the
 * ratio are measured under the same conditions (the machine is shared: compare runs, not absolutes).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { decodeCatalogFile, encodeCatalogFile } from '../src/catalog/catalog-codec.js';
import { createFileCacheStore } from '../src/catalog/file-cache-store.js';
import { parseEdmx } from '../src/catalog/parse-edmx.js';
import type { Catalog } from '../src/catalog/types.js';
import { atLeast, below, type BenchResult } from './lib/result.js';

const FIXTURE = resolve(import.meta.dirname, '../test/fixtures/edmx/dataverse-v8.1-2016-DynamicsCRM.xml');

export interface CaseFigures {
  name: string;
  xmlBytes: number;
  tables: number;
  columns: number;
  /** parseEdmx, CPU time (wall time beside it) */
  parseMs: number;
  parseWallMs: number;
  cacheBytes: number;
  /** read the cache file and decode it (tables' columns decode when first read), CPU time */
  loadFromDiskMs: number;
  loadFromDiskWallMs: number;
  /** the same, then read every table's columns (the worst case: a session touching all tables) */
  loadAllTablesMs: number;
  encodeMs: number;
  /** heap held by the parsed catalog */
  catalogHeapMb: number;
  /** parseMs / loadFromDiskMs (CPU time) */
  speedup: number;
}

export interface CatalogBenchFigures {
  cases: CaseFigures[];
  targets: { parseRealUnder1s: boolean; parseSyntheticUnder5s: boolean; diskAtLeast20xFaster: boolean };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A full collection before each sample, so every run starts from a clean heap like a fresh start. */
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/**
 * Median wall time and median CPU time (user + system of this process) over `runs` runs. On a
 * shared 2-core machine the wall time swings with other people's work; CPU time much less, so the
 * targets are judged on CPU time and both are reported.
 */
async function time<T>(runs: number, action: () => T | Promise<T>): Promise<{ ms: number; cpuMs: number; value: T }> {
  let value = await action(); // warm-up
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    collectGarbage();
    const started = performance.now();
    const startedCpu = process.cpuUsage();
    value = await action();
    const used = process.cpuUsage(startedCpu);
    cpu.push((used.user + used.system) / 1000);
    wall.push(performance.now() - started);
  }
  return { ms: median(wall), cpuMs: median(cpu), value };
}

/**
 * A Dataverse-shaped org: `types` entity types on crmbaseentity, each with described properties
 * (strings, choices, money pairs, dates, lookups) and navigations to other types, an entity set
 * with the usual capability annotations, and a few actions. ~13.5 KB per type.
 */
export function syntheticEdmx(types = 1500): string {
  const out: string[] = [];
  const name = (i: number) => `new_entity${i}`;
  out.push(`<?xml version="1.0" encoding="UTF-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="Microsoft.Dynamics.CRM" Alias="mscrm" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="crmbaseentity" Abstract="true"/>`);
  const description = (text: string) => `<Annotation Term="Org.OData.Core.V1.Description" String="${text} for reporting, segmentation &amp; analysis."/>`;
  const readOnly = `<Annotation Term="Org.OData.Core.V1.Computed" Bool="true"/><Annotation Term="Org.OData.Core.V1.Permissions"><EnumMember>Org.OData.Core.V1.PermissionType/Read</EnumMember></Annotation>`;
  for (let i = 0; i < types; i++) {
    const entity = name(i);
    const targets = [1, 7, 31, 101, 499].map((step) => name((i + step) % types));
    const p: string[] = [`<EntityType Name="${entity}" BaseType="mscrm.crmbaseentity"><Key><PropertyRef Name="${entity}id"/></Key>`];
    p.push(`<Property Name="${entity}id" Type="Edm.Guid">${description('Unique identifier of the record')}</Property>`);
    p.push(`<Property Name="versionnumber" Type="Edm.Int64">${description('Version number')}${readOnly}</Property>`);
    for (let c = 0; c < 16; c++) p.push(`<Property Name="new_text${c}" Type="Edm.String" Unicode="false">${description(`Type the text value number ${c} of the record`)}</Property>`);
    for (let c = 0; c < 8; c++) p.push(`<Property Name="new_option${c}code" Type="Edm.Int32">${description(`Select the option ${c} that applies`)}</Property>`);
    for (let c = 0; c < 5; c++) {
      p.push(`<Property Name="new_amount${c}" Type="Edm.Decimal" Scale="Variable">${description(`Amount ${c} in the record currency`)}</Property>`);
      p.push(`<Property Name="new_amount${c}_base" Type="Edm.Decimal" Scale="Variable">${description(`Amount ${c} in the base currency`)}${readOnly}</Property>`);
    }
    for (let c = 0; c < 4; c++) p.push(`<Property Name="new_date${c}" Type="Edm.DateTimeOffset">${description(`Date ${c} of the record`)}</Property>`);
    for (let c = 0; c < 4; c++) p.push(`<Property Name="new_flag${c}" Type="Edm.Boolean">${description(`Select whether flag ${c} is set`)}</Property>`);
    targets.forEach((target, c) => p.push(`<Property Name="_new_lookup${c}_value" Type="Edm.Guid">${description(`Choose the related ${target}`)}${readOnly}</Property>`));
    targets.forEach((target, c) => {
      p.push(`<NavigationProperty Name="new_lookup${c}" Type="mscrm.${target}" Nullable="false" Partner="new_${entity}_lookup${c}"><ReferentialConstraint Property="_new_lookup${c}_value" ReferencedProperty="${target}id"/></NavigationProperty>`);
    });
    // the partners of the lookups other types hold on this one
    [1, 7, 31, 101, 499].forEach((step, c) => {
      const source = name((i - step + types * 10) % types);
      p.push(`<NavigationProperty Name="new_${source}_lookup${c}" Type="Collection(mscrm.${source})" Partner="new_lookup${c}"/>`);
    });
    p.push(`${description(`The ${entity} table`)}</EntityType>`);
    out.push(p.join('\n'));
  }
  for (let i = 0; i < 50; i++) {
    out.push(`<Action Name="new_Action${i}" IsBound="true"><Parameter Name="entity" Type="mscrm.${name(i)}" Nullable="false"/><Parameter Name="Amount" Type="Edm.Decimal" Nullable="false"/><ReturnType Type="Edm.String"/></Action>`);
  }
  out.push('<EntityContainer Name="System">');
  for (let i = 0; i < types; i++) {
    const entity = name(i);
    out.push(`<EntitySet Name="${entity}s" EntityType="Microsoft.Dynamics.CRM.${entity}">
      <Annotation Term="Org.OData.Capabilities.V1.IndexableByKey" Bool="true"/><Annotation Term="Org.OData.Capabilities.V1.SkipSupported" Bool="false"/>
      <Annotation Term="Org.OData.Capabilities.V1.SearchRestrictions"><Record><PropertyValue Property="Searchable" Bool="false"/></Record></Annotation>
      <Annotation Term="Org.OData.Capabilities.V1.CountRestrictions"><Record><PropertyValue Property="Countable" Bool="true"/></Record></Annotation>
    </EntitySet>`);
  }
  out.push(`<Annotation Term="Org.OData.Capabilities.V1.FilterFunctions"><Collection><String>contains</String><String>endswith</String><String>startswith</String></Collection></Annotation>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`);
  return out.join('\n');
}

async function measure(name: string, xml: string, runs: number, directory: string): Promise<CaseFigures> {
  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  const parsed = await time(runs, () => parseEdmx(xml));
  const catalog: Catalog = parsed.value;
  collectGarbage();
  const catalogHeapMb = Math.round((process.memoryUsage().heapUsed - heapBefore) / 1e5) / 10;
  const key = `bench|${name}`;
  const store = createFileCacheStore(directory);
  const encoded = await time(runs, () => encodeCatalogFile(catalog, key, Date.now()));
  await store.set(key, encoded.value);
  const loaded = await time(runs * 2, async () => {
    const bytes = await store.get(key);
    const result = decodeCatalogFile(bytes!, key);
    if (!result.ok) throw new Error(result.reason);
    return result.catalog;
  });
  if (loaded.value.tables.length !== catalog.tables.length) throw new Error('cache did not round-trip');
  const loadedAll = await time(runs, async () => {
    const result = decodeCatalogFile((await store.get(key))!, key);
    if (!result.ok) throw new Error(result.reason);
    let columns = 0;
    for (const table of result.catalog.tables) columns += table.columns.length + table.relationships.length;
    return columns;
  });
  return {
    name,
    xmlBytes: Buffer.byteLength(xml),
    tables: catalog.tables.length,
    columns: catalog.tables.reduce((n, t) => n + t.columns.length, 0),
    parseMs: Math.round(parsed.cpuMs),
    parseWallMs: Math.round(parsed.ms),
    cacheBytes: encoded.value.length,
    loadFromDiskMs: Number(loaded.cpuMs.toFixed(1)),
    loadFromDiskWallMs: Number(loaded.ms.toFixed(1)),
    loadAllTablesMs: Number(loadedAll.cpuMs.toFixed(1)),
    encodeMs: Math.round(encoded.cpuMs),
    catalogHeapMb,
    speedup: Number((parsed.cpuMs / loaded.cpuMs).toFixed(1)),
  };
}

export async function runCatalogBench(options: { runs?: number; syntheticTypes?: number } = {}): Promise<CatalogBenchFigures> {
  const runs = options.runs ?? 5;
  const directory = await mkdtemp(join(tmpdir(), 'dynasql-bench-'));
  try {
    const real = await measure('dataverse-v8.1 fixture', readFileSync(FIXTURE, 'utf8'), runs, directory);
    const synthetic = await measure(`synthetic ${options.syntheticTypes ?? 1500} types`, syntheticEdmx(options.syntheticTypes), Math.max(1, Math.ceil(runs / 2)), directory);
    return {
      cases: [real, synthetic],
      targets: {
        parseRealUnder1s: real.parseMs < 1000,
        parseSyntheticUnder5s: synthetic.parseMs < 5000,
        diskAtLeast20xFaster: real.speedup >= 20 && synthetic.speedup >= 20,
      },
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** the suite's form: the figures above with the issue-4 targets as checks (judged on CPU time; wall time beside) */
export async function runCatalogSuiteBench(options: { runs?: number; syntheticTypes?: number } = {}): Promise<BenchResult> {
  // 3 runs (not the standalone 5) keep the whole suite under 10 minutes on this machine
  const figures = await runCatalogBench({ runs: 3, ...options });
  const [real, synthetic] = figures.cases as [CaseFigures, CaseFigures];
  const wall = (c: CaseFigures) => `wall ${c.parseWallMs} ms`;
  return {
    name: 'catalog',
    figures: { cases: figures.cases },
    checks: [
      below(`parse ${real.name} (${(real.xmlBytes / 1e6).toFixed(1)} MB), CPU`, real.parseMs, 1000, 'ms', wall(real)),
      below(`parse ${synthetic.name} (${(synthetic.xmlBytes / 1e6).toFixed(1)} MB), CPU`, synthetic.parseMs, 5000, 'ms', wall(synthetic)),
      atLeast('disk cache load vs parse, real fixture (CPU)', real.speedup, 20, '×', `wall ${(real.parseWallMs / real.loadFromDiskWallMs).toFixed(1)}×`),
      atLeast('disk cache load vs parse, synthetic (CPU)', synthetic.speedup, 20, '×', `wall ${(synthetic.parseWallMs / synthetic.loadFromDiskWallMs).toFixed(1)}×`),
    ],
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const figures = await runCatalogBench();
  console.table(figures.cases);
  console.log(figures.targets);
}
