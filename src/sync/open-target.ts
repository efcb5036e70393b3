/**
 * `--to` as a target: `postgres://…` (or `postgresql://…`) a PostgreSQL database, `parquet:DIR` or an
 * existing folder (or a path ending in `/`) a folder of Parquet files, `duckdb:FILE` or any other
 * path a DuckDB database file (the default), created when missing.
 *
 *   --to analytics.duckdb      --to parquet:lake/dynamics      --to postgres://sync@db.internal/analytics
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { DynasqlError } from '../errors/index.js';
import { DuckDbSession } from './duckdb-session.js';
import { ParquetTarget } from './parquet-target.js';
import { PostgresSession } from './postgres-session.js';
import { SqlTarget } from './sql-target.js';
import type { SyncTarget } from './types.js';

export type TargetAddress =
  | { kind: 'duckdb'; path: string }
  | { kind: 'parquet'; path: string }
  | { kind: 'postgres'; url: string };

export function parseTarget(text: string): TargetAddress {
  const value = text.trim();
  if (value === '') throw new DynasqlError('DYNASQL_ERR_CONFIG', '--to needs a target: a DuckDB file, parquet:FOLDER, or postgres://…');
  if (/^postgres(ql)?:\/\//i.test(value)) return { kind: 'postgres', url: value };
  const parquet = /^parquet:(.*)$/i.exec(value);
  if (parquet) {
    if (!parquet[1]) throw new DynasqlError('DYNASQL_ERR_CONFIG', 'parquet: needs a folder, as in --to parquet:lake/dynamics');
    return { kind: 'parquet', path: parquet[1] };
  }
  const duck = /^duckdb:(.*)$/i.exec(value);
  if (duck) {
    if (!duck[1]) throw new DynasqlError('DYNASQL_ERR_CONFIG', 'duckdb: needs a file, as in --to duckdb:analytics.duckdb');
    return { kind: 'duckdb', path: duck[1] };
  }
  if (/[/\\]$/.test(value) || (existsSync(value) && statSync(value).isDirectory())) return { kind: 'parquet', path: value };
  return { kind: 'duckdb', path: value };
}

/** a PostgreSQL URL without its password, for messages */
export function describeTarget(address: TargetAddress): string {
  if (address.kind !== 'postgres') return `${address.path} (${address.kind === 'duckdb' ? 'DuckDB' : 'Parquet'})`;
  try {
    const url = new URL(address.url);
    if (url.password) url.password = '***';
    return `${url.toString()} (PostgreSQL)`;
  } catch {
    return 'PostgreSQL';
  }
}

export async function openTarget(address: TargetAddress): Promise<SyncTarget> {
  const description = describeTarget(address);
  try {
    switch (address.kind) {
      case 'postgres':
        return new SqlTarget(description, await PostgresSession.open(address.url));
      case 'parquet':
        mkdirSync(address.path, { recursive: true });
        return new ParquetTarget(address.path, await DuckDbSession.open(':memory:'));
      case 'duckdb':
        return new SqlTarget(description, await DuckDbSession.open(address.path));
    }
  } catch (error) {
    if (error instanceof DynasqlError) throw error;
    throw new DynasqlError('DYNASQL_ERR_SYNC_TARGET', `Could not open the sync target ${description}: ${(error as Error).message}`);
  }
}
