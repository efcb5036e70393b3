/**
 * Enforces the module import table in docs/architecture.md: each folder of src/ may import only the
 * folders listed for it (errors/ and util/ are open to all but the emulator), the emulator imports
 * nothing from the driver, and node-sql-parser is imported by sql/ alone.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

const ALLOWED: Record<string, string[]> = {
  errors: [],
  util: [],
  config: [],
  sql: [],
  catalog: [],
  types: ['catalog'],
  capabilities: ['catalog'],
  plan: ['catalog', 'types'],
  bind: ['sql', 'catalog', 'plan', 'capabilities', 'types'],
  odata: ['catalog'],
  fetchxml: ['odata'],
  pushdown: ['plan', 'odata', 'fetchxml', 'capabilities', 'catalog', 'types'],
  local: ['plan', 'catalog', 'types'],
  writes: ['sql', 'catalog', 'bind', 'plan', 'odata', 'capabilities', 'pushdown'],
  procedures: ['sql', 'catalog', 'bind', 'plan', 'odata', 'capabilities'],
  http: [],
  auth: ['http'],
  connection: ['*'],
  index: ['*'],
  cli: ['index', 'emulator', 'mcp', 'sync'],
  mcp: ['index', 'cli', 'catalog', 'config', 'http'],
  sync: ['index'],
  pgwire: ['index'],
  emulator: [],
};
const OPEN_TO_ALL = ['errors', 'util'];
const PACKAGE_OWNERS: Record<string, string[]> = { 'node-sql-parser': ['sql'] };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function moduleOf(file: string): string {
  const rel = relative(SRC, file).split(sep);
  return rel.length === 1 ? rel[0]!.replace(/\.[mc]?[jt]s$/, '') : rel[0]!;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:import|export)[^'"`;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)];
  return specifiers.map((m) => (m[1] ?? m[2])!);
}

const files = sourceFiles(SRC);

describe('module import table', () => {
  it('has a row for every folder of src/', () => {
    const folders = new Set(files.map(moduleOf));
    for (const folder of folders) expect(ALLOWED, `src/${folder} needs a row in the import table`).toHaveProperty(folder);
  });

  it('every relative import stays within the table', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = moduleOf(file);
      const allowed = ALLOWED[from] ?? [];
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) continue;
        const target = resolve(dirname(file), spec);
        if (!target.startsWith(SRC)) {
          violations.push(`${relative(SRC, file)} imports outside src: ${spec}`);
          continue;
        }
        const to = moduleOf(target);
        if (to === from || allowed.includes('*') || allowed.includes(to)) continue;
        if (from !== 'emulator' && OPEN_TO_ALL.includes(to)) continue;
        violations.push(`${relative(SRC, file)} (${from}) may not import ${to}: ${spec}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('packages are imported only by their owning module', () => {
    const violations: string[] = [];
    for (const file of files) {
      for (const spec of importsOf(file)) {
        const pkg = Object.keys(PACKAGE_OWNERS).find((p) => spec === p || spec.startsWith(`${p}/`));
        if (pkg && !PACKAGE_OWNERS[pkg]!.includes(moduleOf(file))) violations.push(`${relative(SRC, file)} imports ${spec}`);
      }
    }
    expect(violations).toEqual([]);
  });
});
