/**
 * The fast path for bulk INSERTs: `INSERT INTO t (a, b) VALUES (…), (…), …` whose values are all
 * constants or parameters, the statement a 10,000-row load is written as. node-sql-parser parses it
 * too, at ~24 µs a row warm and ~50 µs cold (its expression grammar tries every operator at every
 * value), which made parsing half of a bulk load's client time; this scanner knows only this shape
 * and reads a row in about a microsecond, cold or warm. It is a hand-written scanner rather than a
 * grammar in grammar/ because a peggy parser for it still cost ~40 µs a row cold.
 *
 * Anything else answers undefined and takes the ordinary path: expressions, functions, DEFAULT,
 * numbers with leading zeros or an exponent, backslashes in strings, RETURNING, a missing column list. On every statement it accepts, both paths give the same AST
 * (test/sql/insert-values-fast-path.test.ts generates statements and compares).
 *
 * `parseValuesInsert("INSERT INTO account (name) VALUES ('A'), (@n)", 'tsql')` →
 * `{target:{name:'account'}, columns:['name'], values:[[{kind:'literal',type:'string',value:'A'}], [{kind:'param',ref:'n'}]], params:['n']}`.
 */
import type { Expr } from './ast.js';
import { spanAt } from './quoting.js';
import type { ParserDialect } from './normalize.js';
import type { WriteTarget } from './write-ast.js';

export interface ValuesInsert {
  target: WriteTarget;
  columns: string[];
  values: Expr[][];
  /** the parameters referenced, in first-appearance order (as the Normalizer lists them) */
  params: (string | number)[];
}

/** words node-sql-parser reads as syntax where a name would stand: such statements are left to it */
const RESERVED = new Set(['insert', 'into', 'values', 'select', 'default', 'null', 'true', 'false', 'returning', 'output', 'option', 'on', 'set', 'from', 'where']);

const NULL: Expr = Object.freeze({ kind: 'literal', type: 'null', value: null }) as Expr;
const TRUE: Expr = Object.freeze({ kind: 'literal', type: 'boolean', value: true }) as Expr;
const FALSE: Expr = Object.freeze({ kind: 'literal', type: 'boolean', value: false }) as Expr;

/** thrown inside the scanner when the text leaves the fast path's shape */
class NotThisShape extends Error {}

/** `text` has `?` already rewritten to `$n` and the OUTPUT / OPTION clauses blanked (write-parse.ts) */
export function parseValuesInsert(text: string, dialect: ParserDialect): ValuesInsert | undefined {
  try {
    return new Scanner(text, dialect).statement();
  } catch (error) {
    if (error instanceof NotThisShape) return undefined;
    throw error;
  }
}

class Scanner {
  private i = 0;
  private readonly seen = new Set<string | number>();
  private readonly params: (string | number)[] = [];

  constructor(private readonly s: string, private readonly dialect: ParserDialect) {}

  statement(): ValuesInsert {
    this.keyword('insert');
    this.keyword('into');
    const first = this.name();
    const target: WriteTarget = this.take('.') ? { name: this.name(), schema: first } : { name: first };
    this.expect('(');
    const columns = [this.name()];
    while (this.take(',')) columns.push(this.name());
    this.expect(')');
    this.keyword('values');
    const values = [this.row()];
    while (this.take(',')) values.push(this.row());
    this.take(';');
    this.space();
    if (this.i !== this.s.length) throw new NotThisShape();
    return { target, columns, values, params: this.params };
  }

  private row(): Expr[] {
    this.expect('(');
    const row = [this.value()];
    while (this.take(',')) row.push(this.value());
    this.expect(')');
    return row;
  }

  private value(): Expr {
    this.space();
    const s = this.s;
    const c = s.charCodeAt(this.i);
    if (c === 0x27 /* ' */) return this.string();
    if ((c === 0x4e || c === 0x6e) /* N n */ && s.charCodeAt(this.i + 1) === 0x27) {
      if (this.dialect !== 'tsql') throw new NotThisShape();
      this.i++;
      return this.string(true);
    }
    if (c === 0x2d /* - */ || isDigit(c)) return this.number();
    if (c === 0x40 /* @ */) {
      if (this.dialect !== 'tsql') throw new NotThisShape();
      this.i++;
      return this.param(this.word());
    }
    if (c === 0x24 /* $ */) {
      const start = ++this.i;
      while (isDigit(s.charCodeAt(this.i))) this.i++;
      if (this.i === start || s.charCodeAt(start) === 0x30 || isIdentChar(s.charCodeAt(this.i))) throw new NotThisShape();
      return this.param(Number(s.slice(start, this.i)) - 1);
    }
    const word = this.word().toLowerCase();
    if (word === 'null') return NULL;
    if (word === 'true') return TRUE;
    if (word === 'false') return FALSE;
    throw new NotThisShape();
  }

  /** `'it''s'` → it's; a backslash leaves the fast path (dialects differ on it); `national`: T-SQL's N'…', an nvarchar */
  private string(national = false): Expr {
    const span = spanAt(this.s, this.i, "'");
    if (!span?.terminated) throw new NotThisShape();
    const body = this.s.slice(this.i + 1, span.end - 1);
    this.i = span.end;
    if (body.includes('\\')) throw new NotThisShape();
    const value = body.includes("''") ? body.replaceAll("''", "'") : body;
    return national ? { kind: 'literal', type: 'string', value, national } : { kind: 'literal', type: 'string', value };
  }

  /**
   * `-12`, `0`, `10.250`, `12345678901234.5678`: no leading zeros, no exponent, no negative zero. The
   * text is the value, as the ordinary path keeps it (long decimals through exact-numbers.ts).
   */
  private number(): Expr {
    const s = this.s;
    const start = this.i;
    if (s.charCodeAt(this.i) === 0x2d) this.i++;
    const digitsStart = this.i;
    while (isDigit(s.charCodeAt(this.i))) this.i++;
    const intDigits = this.i - digitsStart;
    if (intDigits === 0 || (intDigits > 1 && s.charCodeAt(digitsStart) === 0x30)) throw new NotThisShape();
    if (s.charCodeAt(this.i) === 0x2e /* . */) {
      const fractionStart = ++this.i;
      while (isDigit(s.charCodeAt(this.i))) this.i++;
      if (this.i === fractionStart) throw new NotThisShape();
    }
    const next = s.charCodeAt(this.i);
    if (next === 0x2e || isIdentChar(next)) throw new NotThisShape();
    const text = s.slice(start, this.i);
    // node-sql-parser turns `-0` into `0`: a negative zero is left to it
    if (digitsStart > start && /^-0(\.0*)?$/.test(text)) throw new NotThisShape();
    return { kind: 'literal', type: 'number', value: text };
  }

  private param(ref: string | number): Expr {
    if (!this.seen.has(ref)) {
      this.seen.add(ref);
      this.params.push(ref);
    }
    return { kind: 'param', ref };
  }

  /** a plain or (T-SQL) bracketed name, not a reserved word */
  private name(): string {
    this.space();
    if (this.s.charCodeAt(this.i) === 0x5b /* [ */) {
      if (this.dialect !== 'tsql') throw new NotThisShape();
      const end = this.s.indexOf(']', this.i + 1);
      if (end <= this.i + 1) throw new NotThisShape();
      const name = this.s.slice(this.i + 1, end);
      this.i = end + 1;
      return name;
    }
    const name = this.word();
    if (RESERVED.has(name.toLowerCase())) throw new NotThisShape();
    return name;
  }

  /** `[A-Za-z_][A-Za-z0-9_]*`, ending where a name ends */
  private word(): string {
    const s = this.s;
    const start = this.i;
    const c = s.charCodeAt(this.i);
    if (!(isLetter(c) || c === 0x5f)) throw new NotThisShape();
    this.i++;
    while (isLetter(s.charCodeAt(this.i)) || isDigit(s.charCodeAt(this.i)) || s.charCodeAt(this.i) === 0x5f) this.i++;
    if (isIdentChar(s.charCodeAt(this.i))) throw new NotThisShape();
    return s.slice(start, this.i);
  }

  private keyword(word: string): void {
    this.space();
    if (this.word().toLowerCase() !== word) throw new NotThisShape();
  }

  private expect(ch: string): void {
    if (!this.take(ch)) throw new NotThisShape();
  }

  private take(ch: string): boolean {
    this.space();
    if (this.s[this.i] !== ch) return false;
    this.i++;
    return true;
  }

  /** whitespace and comments */
  private space(): void {
    const s = this.s;
    for (;;) {
      const c = s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        this.i++;
        continue;
      }
      const comment = c === 0x2d || c === 0x2f ? spanAt(s, this.i, '') : undefined;
      if (!comment) return;
      if (!comment.terminated) throw new NotThisShape();
      this.i = comment.end;
    }
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** characters that may continue a name in either dialect: a token ending before one is not a token */
function isIdentChar(c: number): boolean {
  return isLetter(c) || isDigit(c) || c === 0x5f || c === 0x24 || c === 0x23 || c === 0x40;
}
