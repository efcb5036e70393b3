/**
 * Rule: a condition on a UNION / UNION ALL's outputs passes into both sides, as a condition on each
 * side's outputs at the same positions.
 *
 * Before: `SELECT * FROM (SELECT name FROM account UNION ALL SELECT fullname FROM contact) u WHERE u.name = 'x'`
 * After:  each side gets the condition on its own output: `name = 'x'` on account, `fullname = 'x'`
 *         on contact (the outer condition stays: the rule only lets fewer rows come up).
 *
 * It does not apply when the operation limits its rows (TOP / OFFSET), is EXCEPT or INTERSECT,
 * converts a side's column to the result's type (the condition would compare another type), or is
 * a UNION (it deduplicates) and the condition could tell apart values the collation calls equal.
 */
import type { Expr, SetOperation } from '../../plan/index.js';
import { sameForEqualValues, type OutputPredicate } from './output-predicate.js';

export type SidesResult = { ok: true; left: OutputPredicate; right: OutputPredicate } | { ok: false; reason: string };

/** the type of a side's output column, from its own outputTypes */
function sameType(a: Expr['sqlType'] | undefined, b: Expr['sqlType'] | undefined): boolean {
  if (!a || !b || a.name !== b.name) return false;
  // a longer string type holds the side's values unchanged; any other difference converts them
  return a.name === 'nvarchar' || a.name === 'varchar' || (a.precision === b.precision && a.scale === b.scale && a.length === b.length);
}

export function throughSetOperation(predicate: OutputPredicate, setop: SetOperation): SidesResult {
  if (setop.limit || setop.offset) return { ok: false, reason: 'the set operation limits its rows (TOP / OFFSET)' };
  if (setop.op !== 'UNION' && setop.op !== 'UNION ALL') return { ok: false, reason: `${setop.op} is not passed through` };
  for (const slot of new Set(predicate.slots.values())) {
    for (const side of [setop.left, setop.right]) {
      if (!sameType(side.outputTypes[slot], setop.outputTypes[slot])) return { ok: false, reason: 'a side converts the column the condition reads' };
    }
  }
  if (setop.op === 'UNION' && !sameForEqualValues(predicate)) return { ok: false, reason: 'UNION deduplicates, and the condition could tell equal values apart' };
  // the slots name positions, which are the same on both sides
  return { ok: true, left: predicate, right: predicate };
}
