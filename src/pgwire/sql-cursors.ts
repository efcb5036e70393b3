/**
 * A session's SQL-level cursors over Dynamics tables (`DECLARE … CURSOR FOR select …`): each is a
 * running statement (result-cursor.ts) that FETCH pulls rows from, so the service is paged only as
 * far as the client fetches. Their lifetime follows Postgres: a cursor ends with its transaction
 * block unless declared WITH HOLD; a ROLLBACK also ends the WITH HOLD cursors the block declared.
 */
import type { FieldDescription } from './backend-messages.js';
import type { ResultCursor } from './result-cursor.js';

export interface SqlCursor {
  cursor: ResultCursor;
  /** the cursor's columns, in its format (BINARY cursors: binary) */
  fields: FieldDescription[];
  hold: boolean;
  /** declared in the open transaction block */
  inBlock: boolean;
}

export class SqlCursors {
  private readonly open = new Map<string, SqlCursor>();

  get(name: string): SqlCursor | undefined {
    return this.open.get(name);
  }

  has(name: string): boolean {
    return this.open.has(name);
  }

  add(name: string, cursor: SqlCursor): void {
    this.open.set(name, cursor);
  }

  /** Stops the cursor's statement; false when there is none by that name. */
  async close(name: string): Promise<boolean> {
    const found = this.open.get(name);
    if (!found) return false;
    this.open.delete(name);
    await found.cursor.close();
    return true;
  }

  async closeAll(): Promise<void> {
    for (const name of [...this.open.keys()]) await this.close(name);
  }

  /** The block ended: COMMIT keeps the WITH HOLD cursors, ROLLBACK only those declared before it. */
  async endBlock(committed: boolean): Promise<void> {
    for (const [name, c] of [...this.open]) {
      if (c.hold && !(c.inBlock && !committed)) c.inBlock = false;
      else await this.close(name);
    }
  }
}
