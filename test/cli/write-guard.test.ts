import { describe, expect, it } from 'vitest';
import { writeCountFor } from '../../src/cli/write-guard.js';

const countSql = (sql: string) => {
  const r = writeCountFor(sql);
  return r?.kind === 'count' ? r.countSql : r;
};

describe('writeCountFor', () => {
  it('counts what an UPDATE or DELETE would touch with the same WHERE', () => {
    expect(countSql("UPDATE account SET name = 'x WHERE y' WHERE statecode = 1")).toBe('SELECT COUNT(*) AS affected FROM account WHERE statecode = 1');
    expect(countSql('DELETE FROM contact WHERE fullname LIKE \'A%\'')).toBe("SELECT COUNT(*) AS affected FROM contact WHERE fullname LIKE 'A%'");
    expect(countSql('delete contact')).toBe('SELECT COUNT(*) AS affected FROM contact');
    expect(countSql('UPDATE TOP (10) [account] SET name = 1 WHERE (a = 1 OR b IN (SELECT x FROM y WHERE z = 2))')).toBe(
      'SELECT COUNT(*) AS affected FROM [account] WHERE (a = 1 OR b IN (SELECT x FROM y WHERE z = 2))',
    );
    expect(countSql('DELETE FROM account AS a WHERE a.name = 1 RETURNING a.accountid')).toBe('SELECT COUNT(*) AS affected FROM account AS a WHERE a.name = 1');
    expect(countSql('DELETE FROM account OUTPUT deleted.name WHERE x = 1')).toBe('SELECT COUNT(*) AS affected FROM account WHERE x = 1');
  });

  it('names the table', () => {
    expect(writeCountFor('UPDATE dbo.account SET x = 1')).toMatchObject({ kind: 'count', command: 'UPDATE', table: 'dbo.account' });
  });

  it('says unknown when the target cannot be read off the text', () => {
    expect(writeCountFor('UPDATE a SET x = 1 FROM account a JOIN contact c ON c.id = a.id')).toMatchObject({ kind: 'unknown', command: 'UPDATE' });
    expect(writeCountFor('DELETE FROM account USING contact WHERE 1 = 1')).toMatchObject({ kind: 'unknown' });
    expect(writeCountFor('UPDATE account')).toMatchObject({ kind: 'unknown' });
  });

  it('leaves other statements alone', () => {
    expect(writeCountFor('SELECT * FROM account WHERE x = 1')).toBeUndefined();
    expect(writeCountFor("INSERT INTO account (name) VALUES ('DELETE')")).toBeUndefined();
  });
});
