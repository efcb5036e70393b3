/**
 * What the plan cache freezes: everything a user of a cached plan reaches (the plan and its fallback,
 * scans, requests, headers, reports, expands, outputs and the aggregate's own result columns), and
 * nothing of the catalog's.
 */
import { describe, expect, it } from 'vitest';
import { capabilitiesFor } from '../../src/capabilities/index.js';
import { parseEdmx } from '../../src/catalog/index.js';
import { prepareStatement, type StatementContext } from '../../src/connection/statement.js';
import { systemTables } from '../../src/connection/system-tables.js';
import { DATAVERSE_EDMX } from '../../src/emulator/metadata/dataverse-edmx.js';
import type { PhysicalPlan, RemoteScanStep } from '../../src/plan/index.js';

const catalog = parseEdmx(DATAVERSE_EDMX);
const ctx: StatementContext = {
  catalog, system: systemTables(catalog), facts: capabilitiesFor(catalog), executor: undefined as never, engine: undefined as never,
  pushdown: true, crossCompany: false, includeFormattedValues: false, pageSize: 5000, serviceRoot: 'http://127.0.0.1/api/data/v9.2/',
};
const plan = (sql: string): PhysicalPlan => prepareStatement(ctx, sql, undefined, 'tsql').plan;
const remote = (p: PhysicalPlan, i = 0) => p.scans[i] as RemoteScanStep;

describe('a cached plan', () => {
  it('is frozen where its users reach it', () => {
    const p = plan('SELECT name FROM account WHERE statecode = 0 ORDER BY name');
    const scan = remote(p);
    for (const part of [p, p.scans, scan, scan.request, scan.request.headers, scan.columns, scan.pushed, scan.notPushed, p.output]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(() => (p.scans as unknown[]).push(scan)).toThrow(TypeError);
    expect(() => { (scan.request as { url: string }).url = 'accounts'; }).toThrow(TypeError);
    expect(p.output.kind === 'direct' && Object.isFrozen(p.output.names) && Object.isFrozen(p.output.columns)).toBe(true);
  });

  it('freezes an aggregate request, its own result columns and its fallback plan', () => {
    const p = plan('SELECT statecode, COUNT(*) AS n FROM account GROUP BY statecode');
    const scan = remote(p);
    expect(scan.request.url).toContain('$apply=');
    expect(Object.isFrozen(scan.aggregateOutputs)).toBe(true);
    expect(scan.aggregateOutputs!.every((o) => Object.isFrozen(o))).toBe(true);
    expect(scan.columns.every((c) => Object.isFrozen(c))).toBe(true);
    // refused, the same aggregate as FetchXML by parts, and refused again, every row read
    const byParts = p.fallback!;
    expect(remote(byParts).fetchXml?.split).toBeDefined();
    expect(Object.isFrozen(byParts) && Object.isFrozen(byParts.scans) && Object.isFrozen(remote(byParts).request)).toBe(true);
    const fallback = byParts.fallback!;
    expect(Object.isFrozen(fallback) && Object.isFrozen(fallback.scans) && Object.isFrozen(remote(fallback).request)).toBe(true);
    expect(fallback.output.kind === 'local' && Object.isFrozen(fallback.output.step) && Object.isFrozen(fallback.output.step.reasons)).toBe(true);
  });

  it('freezes the parents read through $expand', () => {
    // OData forced: with Remote Language=Auto this join goes out as one FetchXML link-entity, without $expand
    const p = prepareStatement({ ...ctx, remoteLanguage: 'odata' }, 'SELECT c.fullname, a.name FROM contact c LEFT JOIN account a ON c.parentcustomerid = a.accountid', undefined, 'tsql').plan;
    const scan = remote(p);
    expect(scan.expand).toHaveLength(1);
    expect(Object.isFrozen(scan.expand) && Object.isFrozen(scan.expand![0]) && Object.isFrozen(scan.expand![0]!.columns)).toBe(true);
  });

  it('leaves the catalog\'s tables and columns alone', () => {
    const p = plan('SELECT name, revenue FROM account');
    const scan = remote(p);
    expect(Object.isFrozen(scan.table)).toBe(false);
    expect(Object.isFrozen(scan.table.columns)).toBe(false);
    expect(scan.columns.some((c) => Object.isFrozen(c))).toBe(false);
  });
});
