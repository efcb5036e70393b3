/** Connection settings that change the requests: Cross Company, Page Size, Pushdown=false, Include Formatted Values. */
import { describe, expect, it } from 'vitest';
import { bindQuery } from '../../src/bind/index.js';
import { capabilitiesFor } from '../../src/capabilities/index.js';
import { planQuery, resolveParams, type PlanOptions } from '../../src/pushdown/index.js';
import { parseSql } from '../../src/sql/index.js';
import { fixtureCatalog, requestsOf, type FixtureEdition } from './translate.js';

function plan(edition: FixtureEdition, sql: string, options: Partial<PlanOptions> = {}, includeFormattedValues = false) {
  const catalog = fixtureCatalog(edition);
  const parsed = parseSql(sql);
  const bound = bindQuery(parsed.statement.query, { catalog, includeFormattedValues });
  return planQuery(bound, { facts: capabilitiesFor(catalog), params: resolveParams(parsed.params, undefined), pushdown: true, ...options });
}

describe('plan options', () => {
  it('Cross Company adds cross-company=true on F&O only', () => {
    expect(requestsOf(plan('finops', "SELECT CustomerAccount FROM CustomersV3 WHERE dataAreaId = 'usrt'", { crossCompany: true }))).toEqual([
      'CustomersV3?cross-company=true&$select=CustomerAccount&$filter=dataAreaId%20eq%20%27usrt%27',
    ]);
    expect(requestsOf(plan('dataverse', 'SELECT name FROM account', { crossCompany: true }))).toEqual(['accounts?$select=name']);
  });

  it('asks for the page size, capped at the edition maximum', () => {
    const small = plan('dataverse', 'SELECT name FROM account', { pageSize: 250 });
    const large = plan('dataverse', 'SELECT name FROM account', { pageSize: 50_000 });
    expect(small.scans[0]!.kind === 'remoteScan' && small.scans[0].request.headers).toEqual({ Prefer: 'odata.maxpagesize=250' });
    expect(large.scans[0]!.kind === 'remoteScan' && large.scans[0].request.headers).toEqual({ Prefer: 'odata.maxpagesize=5000' });
  });

  it('with push-down off, only $select goes to the service', () => {
    const p = plan('dataverse', "SELECT TOP 3 name FROM account WHERE statecode = 0 AND name LIKE 'A%' ORDER BY name", { pushdown: false });
    expect(requestsOf(p)).toEqual(['accounts?$select=statecode,name']);
    expect(p.output.kind).toBe('local');
  });

  it('SELECT * includes display columns only with Include Formatted Values', () => {
    const without = plan('dataverse', 'SELECT TOP 1 * FROM account');
    const withLabels = plan('dataverse', 'SELECT TOP 1 * FROM account', {}, true);
    const names = (p: typeof without) => (p.output.kind === 'direct' ? p.output.names : []);
    expect(names(without)).not.toContain('statecodename');
    expect(names(withLabels)).toContain('statecodename');
    expect(names(withLabels)).toContain('owneridtype');
    expect(withLabels.scans[0]!.kind === 'remoteScan' && withLabels.scans[0].request.headers.Prefer).toContain(
      'odata.include-annotations="OData.Community.Display.V1.FormattedValue,Microsoft.Dynamics.CRM.lookuplogicalname"',
    );
  });
});

describe('URL length', () => {
  it('keeps an IN list local when it would make the URL too long, and pushes the rest', () => {
    const ids = Array.from({ length: 1200 }, (_, i) => `'00000000-0000-0000-0000-${String(i).padStart(12, '0')}'`);
    const p = plan('dataverse', `SELECT name FROM account WHERE statecode = 0 AND accountid IN (${ids.join(', ')})`);
    const [url] = requestsOf(p);
    expect(url).toBe('accounts?$select=name,accountid&$filter=statecode%20eq%200');
    expect(p.output.kind).toBe('local');
    expect(p.scans[0]!.kind === 'remoteScan' && p.scans[0].notPushed[0]).toMatch(/would make the URL longer than the service accepts/);
  });

  it('pushes an IN list that fits', () => {
    const ids = Array.from({ length: 50 }, (_, i) => `'00000000-0000-0000-0000-${String(i).padStart(12, '0')}'`);
    const [url] = requestsOf(plan('dataverse', `SELECT name FROM account WHERE accountid IN (${ids.join(', ')})`));
    expect(url).toContain('Microsoft.Dynamics.CRM.In(');
    expect(url!.length).toBeLessThan(32768);
  });
});
