/**
 * The one scanner for the spans of SQL text that hold no SQL: quoted text (a doubled closing quote is an
 * escaped one, except in `[brackets]`) and comments. Callers that rewrite or search the text (`?`
 * placeholders, write keywords, unknown names) step over these spans so user data never matches.
 *   spanAt("'it''s' x", 0, "'") → { end: 7, kind: 'quoted', terminated: true }
 */
const CLOSERS: Record<string, string> = { "'": "'", '"': '"', '[': ']', '`': '`' };

export interface TextSpan {
  /** index just past the span (the text's length when it never closes) */
  end: number;
  kind: 'quoted' | 'comment';
  terminated: boolean;
}

/** the quoted text or comment starting at `i`, or undefined; `quotes` lists the opening quotes that count */
export function spanAt(sql: string, i: number, quotes: string): TextSpan | undefined {
  const ch = sql[i]!;
  const closer = quotes.includes(ch) ? CLOSERS[ch] : undefined;
  if (closer) {
    let j = i + 1;
    while (j < sql.length) {
      if (sql[j] !== closer) j++;
      else if (closer !== ']' && sql[j + 1] === closer) j += 2;
      else return { end: j + 1, kind: 'quoted', terminated: true };
    }
    return { end: sql.length, kind: 'quoted', terminated: false };
  }
  if (ch === '-' && sql[i + 1] === '-') {
    const nl = sql.indexOf('\n', i);
    return { end: nl < 0 ? sql.length : nl, kind: 'comment', terminated: true };
  }
  if (ch === '/' && sql[i + 1] === '*') {
    const close = sql.indexOf('*/', i + 2);
    return { end: close < 0 ? sql.length : close + 2, kind: 'comment', terminated: close >= 0 };
  }
  return undefined;
}
