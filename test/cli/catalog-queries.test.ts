import { describe, expect, it } from 'vitest';
import { describeTableQueries, likePattern, listTablesQuery, sqlString } from '../../src/cli/catalog-queries.js';

describe('catalog queries for backslash commands', () => {
  it('turns names into SQL literals with quotes doubled', () => {
    expect(sqlString("o'neil")).toBe("'o''neil'");
    expect(describeTableQueries("x' OR 1=1 --")[0]!.sql).toContain("WHERE table_name = 'x'' OR 1=1 --' OR entity_set_name = 'x'' OR 1=1 --'");
  });

  it('reads psql-style patterns as LIKE patterns', () => {
    expect(likePattern('sales*')).toBe('sales%');
    expect(likePattern('a?c')).toBe('a_c');
    expect(likePattern('acc')).toBe('%acc%');
    expect(listTablesQuery('acc*').sql).toBe(
      "SELECT table_name, entity_set_name, primary_key FROM sys_tables WHERE table_name LIKE 'acc%' ORDER BY table_name",
    );
    expect(listTablesQuery(undefined, true).sql).toBe('SELECT table_name, entity_set_name, primary_key, description FROM sys_tables ORDER BY table_name');
    expect(listTablesQuery().sql).not.toContain('WHERE');
  });
});
