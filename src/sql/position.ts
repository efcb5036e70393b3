/** Line and column (1-based) of an offset in SQL text: `positionAt('SELECT\n x', 8)` → `{offset: 8, line: 2, column: 2}`. */
import type { SqlPosition } from '../errors/index.js';

export function positionAt(sql: string, offset: number): SqlPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < sql.length; i++) {
    if (sql[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}
