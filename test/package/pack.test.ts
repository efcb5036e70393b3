/**
 * The package as a user gets it: `npm pack` (its prepack builds dist/), installed with --omit=dev into
 * an empty project, then used the ways the README shows: an ESM import, a CommonJS require (Node's
 * require(esm)), a TypeScript program type-checked against the shipped declarations, the command
 * with --demo, and `dynasql serve --demo` answered by psql.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'dynasql-pack-'));
const app = join(work, 'app');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let files: { path: string; size: number }[] = [];
let typeCheck: Promise<{ stdout: string; stderr: string }>;

const TYPED_PROGRAM = `
import { connect, DynasqlError, type ConnectInput, type Connection, type QueryResult } from 'dynasql';
import { startEmulator } from 'dynasql/emulator';

interface AccountRow { name: string }
const emulator = await startEmulator({ port: 0, rows: 5 });
{
  await using conn: Connection = await connect({ organizationUrl: emulator.url, useBigInt: false, timeout: 30 });
  const result: QueryResult<AccountRow> = await conn.query<AccountRow>('SELECT TOP 1 name FROM account');
  const name: string = result.rows[0]!.name;
  for await (const row of conn.stream<AccountRow>('SELECT TOP 1 name FROM account')) console.log(row.name.length);
  await using tx = conn.begin();
  console.log(name, result.columns.map((c) => c.type), tx.pendingOperations, DynasqlError.name);
}
// @ts-expect-error a misspelt setting does not compile
const misspelt: ConnectInput = { organizationUrl: 'https://contoso.crm.dynamics.com', authSchem: 'None' };
console.log(misspelt);
await emulator.close();
`;

beforeAll(async () => {
  const { stdout } = await run(npm, ['pack', '--json', '--pack-destination', work], { cwd: ROOT, maxBuffer: 64 << 20 });
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as { filename: string; files: { path: string; size: number }[] }[];
  files = packed!.files;
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  // from the cache `npm ci` filled: --offline asks the registry nothing (a cold cache falls back to it)
  const install = (network: string) => run(npm, ['install', '--omit=dev', network, '--no-audit', '--no-fund', join(work, packed!.filename)], { cwd: app });
  await install('--offline').catch(() => install('--prefer-offline'));
  writeFileSync(join(app, 'check.ts'), TYPED_PROGRAM);
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      // a Node program's settings: no DOM library (checking its 40,000 lines took a fifth of the check)
      target: 'ES2022', lib: ['ES2023'], module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true,
      skipLibCheck: false, types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')],
    },
    files: ['check.ts'],
  }));
  // The slowest check starts at once; its test awaits it.
  typeCheck = run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: app });
  typeCheck.catch(() => undefined);
  // a limit, not a target: the pack builds the package (a full tsc emit), which beside `npm test`'s own type
  // check and the fuzz files took over 180 s on a loaded machine
}, 420_000);

afterAll(async () => {
  await typeCheck?.catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
});

// one install serves every check; the checks run side by side (each starts its own process)
describe.concurrent('the packed package', () => {
  it('ships compiled code, declarations, the CLI, the licence and the emulator metadata once; no maps, sources or grammars', () => {
    const paths = files.map((f) => f.path);
    expect(paths).toContain('dist/src/index.js');
    expect(paths).toContain('dist/src/index.d.ts');
    expect(paths).toContain('dist/src/cli/run.js');
    expect(paths).toContain('bin/dynasql.js');
    expect(paths).toContain('LICENSE');
    expect(paths.filter((p) => p.endsWith('.map'))).toEqual([]);
    expect(paths.filter((p) => p.startsWith('src/') || p.startsWith('grammar/') || p.endsWith('.peggy'))).toEqual([]);
    expect(paths.filter((p) => p.includes('dataverse-edmx')).sort()).toEqual([
      'dist/src/emulator/metadata/dataverse-edmx.d.ts',
      'dist/src/emulator/metadata/dataverse-edmx.js',
      'dist/src/emulator/metadata/dataverse-edmx.xml',
    ]);
    const big = files.filter((f) => !f.path.endsWith('.xml') && f.size > 200_000).map((f) => f.path);
    expect(big).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules/dynasql/package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ license: 'MIT', repository: expect.anything(), homepage: expect.any(String), bugs: expect.anything() });
  });

  it('imports as an ES module without loading the native engine (DuckDB loads on first local use)', async () => {
    const code = "import { connect, DynasqlError } from 'dynasql';"
      + ' const native = process.report.getReport().sharedObjects.filter((file) => /duckdb/i.test(file));'
      + ' console.log(typeof connect, typeof DynasqlError, native.length)';
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], { cwd: app });
    expect(stdout.trim()).toBe('function function 0');
  });

  it('loads with CommonJS require (Node 20.19+ requires ES modules)', async () => {
    const { stdout } = await run(process.execPath, ['-e', "const { connect, DynasqlError } = require('dynasql'); console.log(typeof connect, typeof DynasqlError)"], { cwd: app });
    expect(stdout.trim()).toBe('function function');
  });

  it('runs npx dynasql --demo -e without tsx or any dev dependency', async () => {
    const { stdout } = await run(npm, ['exec', '--offline', '--', 'dynasql', '--demo', '-e', 'SELECT TOP 1 name FROM account'], { cwd: app, env: { ...process.env, NO_COLOR: '1' } });
    expect(stdout).toMatch(/^ name\n-+\n .+\n\(1 row\)\n$/);
  }, 60_000);

  it('serves the demo to psql with dynasql serve --demo', async () => {
    const server = spawn(join(app, 'node_modules/.bin/dynasql'), ['serve', '--demo', '--trust', '--port', '0'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((found, failed) => {
        let out = '';
        server.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const line = /^postgres:\/\/\S+/m.exec(out);
          if (line) found(line[0]);
        });
        server.on('exit', (code) => failed(new Error(`dynasql serve exited with ${code}`)));
      });
      const { stdout } = await run('psql', [url, '-At', '-c', 'SELECT count(*) FROM account']);
      expect(Number(stdout.trim())).toBeGreaterThan(0);
    } finally {
      server.kill();
    }
  }, 120_000);

  it('type-checks a TypeScript program against the shipped declarations', async () => {
    const { stdout, stderr } = await typeCheck;
    expect(stdout + stderr).toBe('');
  }, 120_000);
});
