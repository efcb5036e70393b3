import type { Journal } from './table.js';

/**
 * The change tracking log of the tables whose entity set says `Org.OData.Capabilities.V1.ChangeTracking`
 * Supported=true: per table, each record's last change (its change number and whether it was a
 * delete). Only the last change is kept, as the service reports it ("intermediate changes are not
 * tracked": a row updated three times comes back once, with its current values; one created and
 * deleted since the token comes back as a delete).
 *
 * A token is `<change number>!<MM/dd/yyyy HH:mm:ss>` (UTC), the documented example's shape
 * (`919042!08/22/2017 08:10:44`): the changes after that number, asked for while the token is younger
 * than the retention. The log outlives `reset()` (which empties it, so older tokens expire) and its
 * numbers keep growing, so a token from before a reset never reads the new store's changes as its own.
 */
export interface Change {
  seq: number;
  deleted: boolean;
}

export interface ChangeToken {
  seq: number;
  issued: Date;
}

export class ChangeLog {
  private readonly tables = new Map<string, Map<string, Change>>();
  private seq = 0;
  /** the oldest change number a token may name: older tokens ask for changes the log no longer has */
  private floor = 0;

  constructor(private readonly retentionMs: number) {}

  /** records a write of `id` in `table`; a rolled-back change set puts the previous entry back */
  record(table: string, id: string, deleted: boolean, journal: Journal | undefined): void {
    let entries = this.tables.get(table);
    if (!entries) this.tables.set(table, (entries = new Map()));
    const previous = entries.get(id);
    entries.set(id, { seq: ++this.seq, deleted });
    const kept = entries;
    journal?.push(() => {
      if (previous) kept.set(id, previous);
      else kept.delete(id);
    });
  }

  /** the token for "everything up to now" */
  token(now: Date): ChangeToken {
    return { seq: this.seq, issued: now };
  }

  /**
   * The changes of `tables` after `since` up to `until` (inclusive): the live rows first, then the
   * deleted ones, each in change order (the order the SDK's RetrieveEntityChanges documents).
   */
  between(tables: readonly string[], since: number, until: number): { upserts: [string, Change][]; deletes: [string, Change][] } {
    const upserts: [string, Change][] = [];
    const deletes: [string, Change][] = [];
    for (const table of tables) {
      for (const entry of this.tables.get(table) ?? []) {
        const seq = entry[1].seq;
        if (seq <= since || seq > until) continue;
        (entry[1].deleted ? deletes : upserts).push(entry);
      }
    }
    const bySeq = (a: [string, Change], b: [string, Change]) => a[1].seq - b[1].seq;
    return { upserts: upserts.sort(bySeq), deletes: deletes.sort(bySeq) };
  }

  /** why `token` cannot be honoured now, or undefined when it can */
  refusal(token: ChangeToken, now: Date): 'expired' | 'unknown' | undefined {
    if (token.seq > this.seq) return 'unknown';
    if (token.seq < this.floor || now.getTime() - token.issued.getTime() > this.retentionMs) return 'expired';
    return undefined;
  }

  /** forgets every change: tokens issued until now expire (the store was replaced) */
  truncate(): void {
    this.tables.clear();
    this.floor = ++this.seq;
  }
}

/** `919042!08/22/2017 08:10:44` */
export function formatChangeToken(token: ChangeToken): string {
  const d = token.issued;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${token.seq}!${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

export function parseChangeToken(text: string): ChangeToken | undefined {
  const m = /^(\d{1,15})!(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [, seq, month, day, year, hours, minutes, seconds] = m.map(Number) as number[];
  const issued = new Date(Date.UTC(year!, month! - 1, day!, hours!, minutes!, seconds!));
  return Number.isNaN(issued.getTime()) ? undefined : { seq: seq!, issued };
}
