/**
 * `search_tables`: the tables whose names or description hold the words asked for, best first.
 * The catalog comes from `$metadata`, which holds each table's logical name, entity-set name and
 * (where the org has one) description, but no display name: those three are what is matched.
 *
 * Scoring, per word (case-insensitive; a name split at capitals and digits too, so `CustomersV3`
 * matches "customers"): the whole name 100, the start of the name 40, inside the name 25, the
 * entity-set name 15, the description 5. Tables matching more of the words come first, then by score.
 *
 *   searchTables(catalog, 'sales order') → salesorder (score 80), salesorderdetail (50), …
 */
import type { Catalog, Table } from '../index.js';

export interface TableMatch {
  table: Table;
  /** how many of the words it matches */
  matched: number;
  score: number;
}

function nameParts(name: string): string[] {
  return name.split(/(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=\d)|[_\s]+/).map((p) => p.toLowerCase()).filter(Boolean);
}

function wordScore(table: Table, word: string): number {
  const name = table.name.toLowerCase();
  let score = 0;
  if (name === word) score = 100;
  else if (name.startsWith(word) || nameParts(table.name).some((p) => p.startsWith(word))) score = 40;
  else if (name.includes(word)) score = 25;
  if (table.entitySetName.toLowerCase().includes(word)) score += 15;
  if (table.description?.toLowerCase().includes(word)) score += 5;
  return score;
}

/** the words of a search: `"sales order"` → ['sales', 'order']; `salesorder` stays one */
export function searchWords(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}_]+/u).filter(Boolean);
}

export function searchTables(catalog: Catalog, text: string): TableMatch[] {
  const words = searchWords(text);
  const matches: TableMatch[] = [];
  for (const table of catalog.tables) {
    const scores = words.map((w) => wordScore(table, w));
    const matched = scores.filter((s) => s > 0).length;
    if (matched === 0) continue;
    matches.push({ table, matched, score: scores.reduce((a, b) => a + b, 0) });
  }
  return matches.sort((a, b) => b.matched - a.matched || b.score - a.score || a.table.name.length - b.table.name.length || a.table.name.localeCompare(b.table.name));
}
