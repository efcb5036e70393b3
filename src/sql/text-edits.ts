/**
 * The pre-parse rewrites (row-limits.ts, distinct-aggregates.ts, operator-rewrites.ts) replace spans
 * of the statement's text; errors must still point at the text the user wrote. This applies the
 * replacements and maps an offset in the result back: an offset inside a replacement maps to its start.
 *
 *   applyEdits('SELECT a FROM t LIMIT ALL', [{ start: 16, end: 25, text: '' }]).sql → 'SELECT a FROM t '
 */
export interface TextEdit { start: number; end: number; text: string }

export interface EditedText {
  sql: string;
  /** an offset in `sql` → the offset in the text given */
  originalOffset(offset: number): number;
}

/** `edits` in order of `start`; one that starts inside an earlier one is skipped */
export function applyEdits(sql: string, edits: readonly TextEdit[]): EditedText {
  if (edits.length === 0) return { sql, originalOffset: (offset) => offset };
  let out = '';
  let copied = 0;
  const map: { newStart: number; newEnd: number; oldStart: number; oldEnd: number }[] = [];
  for (const edit of edits) {
    if (edit.start < copied) continue;
    out += sql.slice(copied, edit.start);
    map.push({ newStart: out.length, newEnd: out.length + edit.text.length, oldStart: edit.start, oldEnd: edit.end });
    out += edit.text;
    copied = edit.end;
  }
  out += sql.slice(copied);
  return {
    sql: out,
    originalOffset(offset) {
      let shift = 0;
      for (const m of map) {
        if (offset < m.newStart) break;
        if (offset < m.newEnd) return m.oldStart;
        shift = m.oldEnd - m.newEnd;
      }
      return offset + shift;
    },
  };
}
