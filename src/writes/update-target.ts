/**
 * Which rows an `UPDATE … FROM` (or T-SQL's `DELETE a FROM …`) changes: the target's reference among
 * the FROM's tables, by each dialect's documented rule, pure.
 *
 * T-SQL (SQL Server's UPDATE reference, "FROM <table_source>"): the target may name an alias of the
 * FROM (`UPDATE a SET … FROM account a`), else a table. When that table appears once in the FROM, that
 * reference is the target, aliased or not; when it appears more than once, exactly one reference must
 * be unaliased, and that one is the target. When it does not appear, the target joins the FROM's
 * tables as one more table (the WHERE relates them).
 *
 *   UPDATE account SET description = 'x' FROM account a WHERE a.name = 'N'   -- target is `a`: 1 row
 *
 * PostgreSQL (its UPDATE reference, "from_item"): the target is its own table reference, joined with
 * the FROM's tables; a FROM that repeats the target's exposed name (its alias, else its table name)
 * is refused, as PostgreSQL does ("table name specified more than once"). A repeat under another
 * alias is a self-join, exactly as PostgreSQL runs it.
 *
 * An ambiguous target is refused with DYNASQL_ERR_AMBIGUOUS_TABLE before anything is read.
 */
import type { Catalog } from '../catalog/types.js';
import { indexCatalog } from '../catalog/index.js';
import { DynasqlError } from '../errors/index.js';
import type * as S from '../sql/index.js';
import type { ParserDialect } from '../sql/index.js';

export interface UpdateTarget {
  /** the table as the FROM names it (resolved by the caller) */
  tableName: string;
  /** the name the target's columns are read under in the FROM */
  alias: string;
  /** the FROM the SELECT engine reads the rows to change from */
  from: S.FromItem;
}

export function resolveUpdateTarget(catalog: Catalog, dialect: ParserDialect, target: { name: string; alias?: string }, from: S.FromItem | undefined, verb: 'UPDATE' | 'DELETE' = 'UPDATE'): UpdateTarget {
  const own: S.TableRef = { kind: 'table', name: target.name, ...(target.alias ? { alias: target.alias } : {}) };
  const exposed = (target.alias ?? target.name).toLowerCase();
  if (!from) return { tableName: target.name, alias: target.alias ?? target.name, from: own };
  const refs = tableRefs(from);
  if (dialect === 'postgresql') {
    const repeated = refs.find((r) => (r.alias ?? r.name).toLowerCase() === exposed);
    if (repeated) {
      throw ambiguous(`table name "${target.alias ?? target.name}" is specified more than once: the target and its FROM both expose it. Give the FROM's reference an alias (a self-join), or leave the target out of the FROM`);
    }
    return { tableName: target.name, alias: target.alias ?? target.name, from: { kind: 'join', type: 'CROSS', left: own, right: from } };
  }
  if (target.alias) throw new DynasqlError('DYNASQL_ERR_SYNTAX', `T-SQL's ${verb} takes no alias on its target ('${target.name} ${target.alias}'); write ${verb} ${target.alias} … FROM ${target.name} ${target.alias}`);
  // an alias of the FROM names its reference outright
  const byAlias = refs.filter((r) => r.alias?.toLowerCase() === exposed);
  if (byAlias.length > 1) throw ambiguous(`the ${verb} target '${target.name}' names ${byAlias.length} references of the FROM`);
  if (byAlias.length === 1) return { tableName: byAlias[0]!.name, alias: byAlias[0]!.alias!, from };
  const index = indexCatalog(catalog);
  const table = index.table(target.name);
  const same = (r: S.TableRef) => r.name.toLowerCase() === target.name.toLowerCase() || (table !== undefined && index.table(r.name) === table);
  const refsOfTable = refs.filter((r) => !r.args && same(r));
  if (refsOfTable.length === 1) {
    const ref = refsOfTable[0]!;
    return { tableName: ref.name, alias: ref.alias ?? ref.name, from };
  }
  if (refsOfTable.length > 1) {
    const unaliased = refsOfTable.filter((r) => !r.alias);
    if (unaliased.length !== 1) {
      throw ambiguous(`the ${verb} target '${target.name}' appears ${refsOfTable.length} times in the FROM${unaliased.length === 0 ? ', each under an alias' : ` and ${unaliased.length} of them have no alias`}: `
        + `leave exactly one reference without an alias (that one is the target), or name the target by its alias (${verb} a … FROM account a …)`);
    }
    return { tableName: unaliased[0]!.name, alias: unaliased[0]!.name, from };
  }
  // not in the FROM: the target is one more table of it
  return { tableName: target.name, alias: target.name, from: { kind: 'join', type: 'CROSS', left: own, right: from } };
}

function ambiguous(message: string): DynasqlError {
  return new DynasqlError('DYNASQL_ERR_AMBIGUOUS_TABLE', message);
}

function tableRefs(from: S.FromItem): S.TableRef[] {
  if (from.kind === 'table') return [from];
  if (from.kind === 'join') return [...tableRefs(from.left), ...tableRefs(from.right)];
  return [];
}
