/**
 * A transaction over a service that has no transactions across requests, only `$batch` change sets
 * applied all or nothing: its write statements run as usual up to the point of sending (checked,
 * their rows read, lowered to operations), and the operations are held; COMMIT sends them all in one
 * change set; ROLLBACK drops them, having sent nothing. Savepoints mark how many operations were
 * held, and ROLLBACK TO drops the ones after the mark.
 *
 *   BEGIN TRAN;
 *   INSERT INTO account (name) VALUES ('A');          -- rowCount 1, nothing sent
 *   UPDATE contact SET jobtitle = 'CEO' WHERE …;       -- the rows are read now, the PATCHes held
 *   COMMIT;                                            -- one POST $batch: one change set, both or neither
 *
 * What a reader should know (also in Transaction's doc): reads do not see the held writes; a change
 * set holds at most the service's batch size (1,000 on Dataverse); actions are refused inside, since
 * they would run at once.
 */
import { DynasqlError } from '../errors/index.js';
import type { Outcome, WriteOperation } from '../writes/index.js';
import { parseTransactionControl, type TransactionControl } from '../sql/transaction-parse.js';
import type { Effective, WriteHold } from './write-runner.js';
import type { QueryOptions, QueryParams, QueryResult, Row, Transaction } from './types.js';

/** what the transaction needs from its connection */
export interface TransactionHost {
  /** runs one statement with the writes going to `hold` (connect.ts routes SELECT, writes, EXEC) */
  run(sql: string, params: QueryParams | undefined, options: QueryOptions, hold: HeldWrites): Promise<QueryResult>;
  /** sends operations as one change set and answers how each went (write-runner's execute) */
  sendAtomic(ops: readonly WriteOperation[], signal?: AbortSignal): Promise<Outcome[]>;
  /** operations one change set may hold */
  maxOperations: number;
}

interface HeldOperation {
  op: WriteOperation;
  /** 1-based position of its statement in the transaction, and the statement's verb */
  statement: number;
  command: string;
}

/** The held operations and savepoints of one transaction: the `WriteHold` a write statement fills. */
export class HeldWrites implements WriteHold {
  readonly held: HeldOperation[] = [];
  private readonly savepoints: { name: string; at: number }[] = [];
  private statements = 0;

  constructor(private readonly maxOperations: number, private readonly readOnly: boolean) {}

  take(command: string, ops: readonly WriteOperation[]): void {
    if (this.readOnly) throw new DynasqlError('DYNASQL_ERR_READ_ONLY_CONNECTION', `${command} is refused: the transaction is READ ONLY`);
    if (this.held.length + ops.length > this.maxOperations) {
      throw new DynasqlError('DYNASQL_ERR_ATOMIC_LIMIT',
        `A transaction can hold at most ${this.maxOperations} row changes (one $batch change set); this ${command} would bring it to ${this.held.length + ops.length}. The statement was not added; the transaction holds ${this.held.length}`,
        { details: { rows: this.held.length + ops.length, max: this.maxOperations } });
    }
    const statement = ++this.statements;
    for (const op of ops) this.held.push({ op, statement, command });
  }

  savepoint(name: string): void {
    this.savepoints.push({ name, at: this.held.length });
  }

  /** drops the operations held since the savepoint; the savepoint stays (as in SQL) */
  rollbackTo(name: string): void {
    const i = this.find(name);
    this.held.length = this.savepoints[i]!.at;
    this.savepoints.length = i + 1;
  }

  release(name: string): void {
    this.savepoints.length = this.find(name);
  }

  hasSavepoint(name: string): boolean {
    return this.savepoints.some((s) => s.name === name);
  }

  private find(name: string): number {
    const i = this.savepoints.map((s) => s.name).lastIndexOf(name);
    if (i < 0) throw new DynasqlError('DYNASQL_ERR_TRANSACTION', `savepoint "${name}" does not exist`);
    return i;
  }
}

export class HeldTransaction implements Transaction {
  private readonly writes: HeldWrites;
  private state: 'open' | 'committing' | 'ended' = 'open';

  constructor(private readonly host: TransactionHost, options: { readOnly?: boolean; name?: string } = {}) {
    this.writes = new HeldWrites(host.maxOperations, options.readOnly ?? false);
    this.name = options.name;
  }

  /** T-SQL's `BEGIN TRAN name`: `ROLLBACK TRAN name` and `COMMIT TRAN name` may repeat it */
  readonly name: string | undefined;

  get pendingOperations(): number {
    return this.writes.held.length;
  }

  get isOpen(): boolean {
    return this.state !== 'ended';
  }

  async query<R extends object = Row>(sql: string, params?: QueryParams, options: QueryOptions = {}): Promise<QueryResult<R>> {
    this.ensureOpen();
    const control = parseTransactionControl(sql);
    // R is the caller's description of the rows (QueryResult in types.ts)
    if (control) return (await this.control(control, options)) as QueryResult as QueryResult<R>;
    return (await this.host.run(sql, params, options, this.writes)) as QueryResult as QueryResult<R>;
  }

  /** `await using tx = conn.begin()`: still open at the end of the block, it is rolled back (nothing was sent) */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.state === 'open') this.rollback();
  }

  /** transaction control inside the transaction: COMMIT, ROLLBACK, savepoints */
  async control(control: TransactionControl, options: QueryOptions = {}): Promise<QueryResult> {
    this.ensureOpen();
    const done = (command: string): QueryResult => ({ columns: [], rows: [], rowCount: 0, command });
    switch (control.action) {
      case 'begin':
        throw new DynasqlError('DYNASQL_ERR_TRANSACTION', 'a transaction is already in progress (dynasql does not nest transactions; use SAVEPOINT)');
      case 'commit':
        return this.commit(options.signal ? { signal: options.signal } : {});
      case 'rollback':
        // T-SQL: `ROLLBACK TRAN s1` names a savepoint, or the transaction itself
        if (control.name !== undefined && control.name !== this.name) {
          this.writes.rollbackTo(control.name);
          return done('ROLLBACK');
        }
        this.rollback();
        return done('ROLLBACK');
      case 'savepoint':
        this.writes.savepoint(control.name!);
        return done('SAVEPOINT');
      case 'rollbackTo':
        this.writes.rollbackTo(control.name!);
        return done('ROLLBACK');
      case 'release':
        this.writes.release(control.name!);
        return done('RELEASE');
    }
  }

  async commit(options: { signal?: AbortSignal } = {}): Promise<QueryResult> {
    this.ensureOpen();
    this.state = 'committing';
    const held = this.writes.held;
    try {
      const outcomes = held.length === 0 ? [] : await this.host.sendAtomic(held.map((h) => h.op), options.signal);
      // a refused change set marks its culprit failed and the rest not attempted
      const culprit = outcomes.findIndex((o) => o.state === 'failed' || o.state === 'unconfirmed');
      const failed = culprit >= 0 ? culprit : outcomes.findIndex((o) => o.state !== 'written');
      if (failed >= 0) throw commitError(held, outcomes, failed);
      return { columns: [], rows: [], rowCount: held.length, command: 'COMMIT' };
    } finally {
      this.state = 'ended';
    }
  }

  rollback(): void {
    if (this.state === 'committing') throw new DynasqlError('DYNASQL_ERR_TRANSACTION', 'the transaction is being committed');
    this.writes.held.length = 0;
    this.state = 'ended';
  }

  private ensureOpen(): void {
    if (this.state === 'ended') throw new DynasqlError('DYNASQL_ERR_TRANSACTION', 'the transaction has ended (committed or rolled back); begin a new one');
    if (this.state === 'committing') throw new DynasqlError('DYNASQL_ERR_TRANSACTION', 'the transaction is being committed');
  }
}

/** the effective write options a COMMIT sends with: one change set; each operation carries its own headers */
export const COMMIT_OPTIONS: Effective = { atomic: true, continueOnError: false, optimistic: false, headers: {} };

/**
 * A change set fails whole, so nothing was written; the error names the statement and row the service
 * refused. An answer that never came (retries spent) leaves it unknown whether the change set was applied.
 */
function commitError(held: readonly HeldOperation[], outcomes: readonly Outcome[], index: number): DynasqlError {
  const outcome = outcomes[index]!;
  const culprit = held[index]!;
  const where = `statement ${culprit.statement} (${culprit.command}), row ${JSON.stringify(culprit.op.key)}`;
  const details = { operations: held.length, statement: culprit.statement, key: culprit.op.key };
  if (outcome.state === 'unconfirmed') {
    return new DynasqlError('DYNASQL_ERR_PARTIAL_WRITE',
      `COMMIT not confirmed: the change set of ${held.length} operations was applied whole or not at all, and its answer was lost (${outcome.error.message})`,
      { details, cause: outcome.error });
  }
  const error = outcome.state === 'failed' ? outcome.error : new DynasqlError('DYNASQL_ERR_NOT_FOUND', 'the row was not there');
  return new DynasqlError(error.code, `COMMIT failed at ${where}: ${error.message}. The transaction was rolled back; nothing was written`, {
    ...(error.status !== undefined ? { status: error.status } : {}),
    ...(error.serviceCode ? { serviceCode: error.serviceCode } : {}),
    details, cause: error,
  });
}
