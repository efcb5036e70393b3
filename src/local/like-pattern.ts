/**
 * T-SQL LIKE patterns with character classes (`[a-c]`, `[^x]`), which DuckDB's LIKE does not know,
 * as a regular expression for `regexp_full_match`: `'[AB]%'` → `^[AB].*$` (matched case-insensitively).
 * `%` is any run, `_` any one character, everything else literal (an ESCAPE character makes the
 * next one literal).
 */
export function likeToRegex(pattern: string, escape?: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (escape !== undefined && c === escape && i + 1 < pattern.length) {
      out += literal(pattern[++i]!);
    } else if (c === '%') {
      out += '.*';
    } else if (c === '_') {
      out += '.';
    } else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) {
        out += literal(c);
        continue;
      }
      let body = pattern.slice(i + 1, close);
      const negated = body.startsWith('^');
      if (negated) body = body.slice(1);
      // inside a class only `\`, `]` and a leading `^` are special to the regex engine
      out += `[${negated ? '^' : ''}${body.replace(/[\\\]]/g, (m) => `\\${m}`).replace(/^\^/, '\\^')}]`;
      i = close;
    } else {
      out += literal(c);
    }
  }
  return `^${out}$`;
}

function literal(c: string): string {
  return /[\\^$.|?*+()[\]{}]/.test(c) ? `\\${c}` : c;
}
