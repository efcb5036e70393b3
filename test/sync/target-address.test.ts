/**
 * `--to` as a target address (src/sync/open-target.ts): which kind each spelling means, and the
 * description printed for it, without a PostgreSQL password.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DynasqlError } from '../../src/index.js';
import { describeTarget, parseTarget } from '../../src/sync/open-target.js';

const folder = mkdtempSync(join(tmpdir(), 'dynasql-sync-address-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('--to', () => {
  it('reads each kind of target', () => {
    expect(parseTarget('analytics.duckdb')).toEqual({ kind: 'duckdb', path: 'analytics.duckdb' });
    expect(parseTarget('duckdb:data/a.db')).toEqual({ kind: 'duckdb', path: 'data/a.db' });
    expect(parseTarget('parquet:lake/dynamics')).toEqual({ kind: 'parquet', path: 'lake/dynamics' });
    expect(parseTarget('lake/')).toEqual({ kind: 'parquet', path: 'lake/' });
    expect(parseTarget(folder)).toEqual({ kind: 'parquet', path: folder });
    expect(parseTarget('postgres://sync@db.internal/analytics')).toEqual({ kind: 'postgres', url: 'postgres://sync@db.internal/analytics' });
    expect(parseTarget('PostgreSQL://sync@db/a')).toEqual({ kind: 'postgres', url: 'PostgreSQL://sync@db/a' });
  });

  it('refuses an empty target or kind', () => {
    for (const text of ['', '  ', 'parquet:', 'duckdb:']) {
      let caught: unknown;
      try {
        parseTarget(text);
      } catch (error) {
        caught = error;
      }
      expect(caught, text).toBeInstanceOf(DynasqlError);
      expect((caught as DynasqlError).code, text).toBe('DYNASQL_ERR_CONFIG');
    }
  });

  it('never prints a PostgreSQL password', () => {
    const text = describeTarget(parseTarget('postgres://sync:s3cret@db.internal:5433/analytics'));
    expect(text).not.toContain('s3cret');
    expect(text).toBe('postgres://sync:***@db.internal:5433/analytics (PostgreSQL)');
    expect(describeTarget(parseTarget('a.duckdb'))).toBe('a.duckdb (DuckDB)');
    expect(describeTarget(parseTarget('parquet:lake'))).toBe('lake (Parquet)');
  });
});
