import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';

it('generated parsers are current with grammar/*.peggy', () => {
  const script = resolve(import.meta.dirname, '../scripts/build-grammars.mjs');
  expect(() => execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' })).not.toThrow();
});
