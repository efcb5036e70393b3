/**
 * One table's run: decide how to bring it up to date, read from Dynamics, hand the rows to the target
 * in batches.
 *
 * - Change tracking on (the catalog's `Org.OData.Capabilities.V1.ChangeTracking`), a stored token and
 *   no column added since: `conn.changes(table, { since: token })`, the changes applied in batches, the
 *   new token stored with the last one. A run cut short re-reads from the stored token; every batch
 *   replaces rows by key, so applying a change twice does no harm.
 * - Otherwise a full copy: the first run, a token the service no longer honours (expired), a column
 *   added in Dynamics (its values for existing rows come only with a full read), or a table without
 *   change tracking (read with `SELECT … FROM table` on every run: reading only rows with a newer
 *   `modifiedon` would be cheaper, but it cannot see deletes, so it is not offered). A tracked table's
 *   full copy is `conn.changes()` without a token, whose end gives the first token.
 *
 * Every read goes through the connection, so its throttled executor's budget bounds the copy.
 */
import { DynasqlError } from '../errors/index.js';
import type { Connection, Progress, Table } from '../index.js';
import { syncColumns } from './column-types.js';
import type { ChangeCounts, SyncMethod, SyncTarget, TableSpec, TableState } from './types.js';

export const DEFAULT_BATCH_SIZE = 5_000;

export interface TableReport {
  table: string;
  method: SyncMethod;
  /** why the table was copied whole this run (`first copy`, `change token expired` …) */
  reason?: string;
  rowsRead: number;
  inserted: number;
  updated: number;
  deleted: number;
  requests: number;
  elapsedMs: number;
}

export interface TableProgress {
  table: string;
  method: SyncMethod;
  rowsRead: number;
  requests: number;
  elapsedMs: number;
}

export interface SyncTableOptions {
  /** rows (or changes) per target transaction; default 5,000 */
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (progress: TableProgress) => void;
  now?: () => Date;
}

const sqlName = (name: string) => `[${name.replace(/]/g, ']]')}]`;

export function tableSpec(table: Table): TableSpec {
  if (table.primaryKey.length === 0) {
    throw new DynasqlError('DYNASQL_ERR_PARAMETER', `${table.name} has no key in the metadata; dynasql sync needs one to tell its rows apart`);
  }
  return { name: table.name, key: table.primaryKey, columns: syncColumns(table) };
}

function tracked(table: Table, spec: TableSpec): boolean {
  return table.capabilities.changeTracking === true && spec.key.length === 1;
}

class Counter {
  rowsRead = 0;
  requests = 0;
  private readonly started = Date.now();
  constructor(private readonly table: string, private readonly method: SyncMethod, private readonly report?: (p: TableProgress) => void) {}
  progress(progress?: Progress): void {
    if (progress) this.requests = Math.max(this.requests, progress.requests);
    this.report?.({ table: this.table, method: this.method, rowsRead: this.rowsRead, requests: this.requests, elapsedMs: this.elapsed() });
  }
  elapsed(): number {
    return Date.now() - this.started;
  }
}

/** the column names of `spec` the stored state lacks: a column added in Dynamics since the last run */
function addedColumns(spec: TableSpec, state: TableState): string[] {
  const had = new Set(state.columns);
  return spec.columns.map((c) => c.name).filter((n) => !had.has(n));
}

function newState(spec: TableSpec, method: SyncMethod, now: Date, token?: string): TableState {
  return { table: spec.name, method, ...(token !== undefined ? { token } : {}), columns: spec.columns.map((c) => c.name), syncedAt: now.toISOString() };
}

const sum = (a: ChangeCounts, b: ChangeCounts): ChangeCounts => ({ inserted: a.inserted + b.inserted, updated: a.updated + b.updated, deleted: a.deleted + b.deleted });
const NONE: ChangeCounts = { inserted: 0, updated: 0, deleted: 0 };

export async function syncTable(conn: Connection, table: Table, target: SyncTarget, options: SyncTableOptions = {}): Promise<TableReport> {
  const spec = tableSpec(table);
  const state = await target.readState(spec.name);
  const now = options.now ?? (() => new Date());
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;

  if (!tracked(table, spec)) {
    const counter = new Counter(spec.name, 'full', options.onProgress);
    const counts = await copyByQuery(conn, spec, target, counter, batchSize, now, options.signal);
    return report(spec, 'full', 'no change tracking', counter, counts);
  }

  let reason: string;
  if (!state) reason = 'first copy';
  else if (state.method !== 'changes' || state.token === undefined) reason = 'change tracking turned on';
  else {
    const added = addedColumns(spec, state);
    if (added.length > 0) reason = `column${added.length > 1 ? 's' : ''} added: ${added.join(', ')}`;
    else {
      const counter = new Counter(spec.name, 'changes', options.onProgress);
      try {
        const counts = await applyChanges(conn, spec, target, state.token, counter, batchSize, now, options.signal);
        return report(spec, 'changes', undefined, counter, counts);
      } catch (error) {
        if (!DynasqlError.is(error) || (error.code as string) !== 'DYNASQL_ERR_CHANGE_TOKEN_EXPIRED') throw error;
        reason = 'change token expired';
      }
    }
  }
  const counter = new Counter(spec.name, 'changes', options.onProgress);
  const counts = await copyByChanges(conn, spec, target, counter, batchSize, now, options.signal);
  return report(spec, 'changes', reason, counter, counts);
}

/**
 * Writes a batch while the next one is read: `push` waits only for the batch before (one write in
 * flight at a time), so reading pages and loading rows into the target overlap.
 */
class Pipeline {
  private writing: Promise<void> = Promise.resolve();
  constructor(private readonly write: (rows: Record<string, unknown>[]) => Promise<void>) {}
  async push(rows: Record<string, unknown>[]): Promise<void> {
    await this.writing;
    if (rows.length === 0) return;
    this.writing = this.write(rows);
    // a failed write surfaces at the next push or drain, not as an unhandled rejection meanwhile
    this.writing.catch(() => undefined);
  }
  drain(): Promise<void> {
    return this.writing;
  }
}

function report(spec: TableSpec, method: SyncMethod, reason: string | undefined, counter: Counter, counts: ChangeCounts): TableReport {
  counter.progress();
  return { table: spec.name, method, ...(reason ? { reason } : {}), rowsRead: counter.rowsRead, ...counts, requests: counter.requests, elapsedMs: counter.elapsed() };
}

/** every row by `SELECT <columns> FROM <table>` into a copy that replaces the table's rows at the end */
async function copyByQuery(
  conn: Connection, spec: TableSpec, target: SyncTarget, counter: Counter, batchSize: number, now: () => Date, signal?: AbortSignal,
): Promise<ChangeCounts> {
  const copy = await target.startCopy(spec);
  const writer = new Pipeline((rows) => copy.append(rows));
  try {
    const sql = `SELECT ${spec.columns.map((c) => sqlName(c.name)).join(', ')} FROM ${sqlName(spec.name)}`;
    let rows: Record<string, unknown>[] = [];
    for await (const row of conn.stream(sql, undefined, { dialect: 'tsql', ...(signal ? { signal } : {}), onProgress: (p) => counter.progress(p) })) {
      rows.push(row);
      counter.rowsRead++;
      if (rows.length >= batchSize) {
        await writer.push(rows);
        rows = [];
      }
    }
    await writer.push(rows);
    await writer.drain();
    return await copy.commit(newState(spec, 'full', now()));
  } catch (error) {
    await writer.drain().catch(() => undefined);
    await copy.abort();
    throw error;
  }
}

/** a tracked table's full read (changes without a token: every row, then the first token) into a copy */
async function copyByChanges(
  conn: Connection, spec: TableSpec, target: SyncTarget, counter: Counter, batchSize: number, now: () => Date, signal?: AbortSignal,
): Promise<ChangeCounts> {
  const copy = await target.startCopy(spec);
  const writer = new Pipeline((rows) => copy.append(rows));
  try {
    let rows: Record<string, unknown>[] = [];
    for await (const change of conn.changes(spec.name, changeOptions(spec, counter, undefined, signal))) {
      if (change.kind === 'end') {
        await writer.push(rows);
        await writer.drain();
        return await copy.commit(newState(spec, 'changes', now(), change.token));
      }
      // a full read lists rows only; a delete here would be of a row never copied
      if (change.kind !== 'upsert') continue;
      rows.push(change.row);
      counter.rowsRead++;
      if (rows.length >= batchSize) {
        await writer.push(rows);
        rows = [];
        counter.progress();
      }
    }
    throw new DynasqlError('DYNASQL_ERR_SERVICE', `The change read of ${spec.name} ended without a token`);
  } catch (error) {
    await writer.drain().catch(() => undefined);
    await copy.abort();
    throw error;
  }
}

/** the changes since `token`, in batches of at most `batchSize` keys, the new token stored with the last */
async function applyChanges(
  conn: Connection, spec: TableSpec, target: SyncTarget, token: string, counter: Counter, batchSize: number, now: () => Date, signal?: AbortSignal,
): Promise<ChangeCounts> {
  // the latest change of each key in the batch: a row changed then deleted is deleted, and so on
  let pending = new Map<string, { row?: Record<string, unknown> }>();
  let counts = NONE;
  const flush = async (state?: TableState) => {
    const upserts: Record<string, unknown>[] = [];
    const deletes: string[] = [];
    for (const [key, change] of pending) {
      if (change.row) upserts.push(change.row);
      else deletes.push(key);
    }
    pending = new Map();
    counts = sum(counts, await target.applyChanges(spec, { upserts, deletes }, state));
    counter.progress();
  };
  for await (const change of conn.changes(spec.name, changeOptions(spec, counter, token, signal))) {
    if (change.kind === 'end') {
      await flush(newState(spec, 'changes', now(), change.token));
      return counts;
    }
    const key = change.key.toLowerCase();
    pending.delete(key);
    pending.set(key, change.kind === 'upsert' ? { row: change.row } : {});
    counter.rowsRead++;
    if (pending.size >= batchSize) await flush();
  }
  throw new DynasqlError('DYNASQL_ERR_SERVICE', `The change read of ${spec.name} ended without a token`);
}

function changeOptions(spec: TableSpec, counter: Counter, since: string | undefined, signal: AbortSignal | undefined) {
  return {
    columns: spec.columns.map((c) => c.name),
    ...(since !== undefined ? { since } : {}),
    ...(signal ? { signal } : {}),
    onProgress: (p: Progress) => counter.progress(p),
  };
}
