/**
 * Splits SQL text into statements at `;` and at `GO` lines (the SQL Server batch separator),
 * ignoring separators inside quotes (`'a;b'`, `"a;b"`, `[a;b]`) and comments (`-- ;`, `/* ; *\/`).
 * Example: `splitStatements("SELECT 1; SELECT ';'\nGO\n")` → statements `SELECT 1` and `SELECT ';'`.
 * Text after the last separator is returned as `rest`, so the REPL can keep reading a statement
 * that is not finished yet, and a script can run it as its last statement.
 */

export interface SqlStatement {
  /** the statement without its separator, trimmed */
  sql: string;
  /** 1-based line in the input where the statement starts */
  line: number;
}

export interface SplitResult {
  statements: SqlStatement[];
  /** text after the last separator (may be only whitespace or comments) */
  rest: string;
  /** whether `rest` holds anything but whitespace and comments */
  restHasCode: boolean;
  /** 1-based line where the code in `rest` starts */
  restLine: number;
}

type State = 'code' | 'single' | 'double' | 'bracket' | 'lineComment' | 'blockComment';

const GO_LINE = /^[ \t]*go(?:[ \t]+\d+)?[ \t]*(?:--[^\n]*)?(?:\r?\n|$)/i;

export function splitStatements(text: string): SplitResult {
  const statements: SqlStatement[] = [];
  let state: State = 'code';
  let blockDepth = 0;
  let start = 0;
  let hasCode = false;
  let codeLine = 1;
  let line = 1;
  let atLineStart = true;

  const finish = (end: number) => {
    const sql = text.slice(start, end).trim();
    if (hasCode && sql) statements.push({ sql, line: codeLine });
    hasCode = false;
  };
  const markCode = () => {
    if (!hasCode) {
      hasCode = true;
      codeLine = line;
    }
  };

  for (let i = 0; i < text.length; i++) {
    if (state === 'code' && atLineStart) {
      const go = GO_LINE.exec(text.slice(i));
      if (go) {
        finish(i);
        i += go[0].length - 1;
        if (go[0].endsWith('\n')) line++;
        start = i + 1;
        atLineStart = true;
        continue;
      }
    }
    const ch = text[i]!;
    const next = text[i + 1];
    atLineStart = ch === '\n';
    if (ch === '\n') line++;
    switch (state) {
      case 'code':
        if (ch === ';') {
          finish(i);
          start = i + 1;
        } else if (ch === '-' && next === '-') {
          state = 'lineComment';
          i++;
        } else if (ch === '/' && next === '*') {
          state = 'blockComment';
          blockDepth = 1;
          i++;
        } else if (ch === "'") {
          markCode();
          state = 'single';
        } else if (ch === '"') {
          markCode();
          state = 'double';
        } else if (ch === '[') {
          markCode();
          state = 'bracket';
        } else if (!/\s/.test(ch)) {
          markCode();
        }
        break;
      case 'single':
      case 'double':
      case 'bracket': {
        const close = state === 'single' ? "'" : state === 'double' ? '"' : ']';
        if (ch === close) {
          // a doubled closing character is an escaped one: 'it''s', "a""b", [a]]b]
          if (next === close) i++;
          else state = 'code';
        }
        break;
      }
      case 'lineComment':
        if (ch === '\n') state = 'code';
        break;
      case 'blockComment':
        if (ch === '/' && next === '*') {
          blockDepth++;
          i++;
        } else if (ch === '*' && next === '/') {
          blockDepth--;
          i++;
          if (blockDepth === 0) state = 'code';
        }
        break;
    }
  }
  return { statements, rest: text.slice(start), restHasCode: hasCode, restLine: codeLine };
}

/**
 * A script's statements: every separated statement plus the unterminated last one. A leading byte
 * order mark (files saved by SQL Server Management Studio and Notepad start with one) is dropped.
 */
export function scriptStatements(text: string): SqlStatement[] {
  const { statements, rest, restHasCode, restLine } = splitStatements(text.replace(/^\uFEFF/, ''));
  if (restHasCode) statements.push({ sql: rest.trim(), line: restLine });
  return statements;
}
