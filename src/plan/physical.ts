/**
 * The executable plan push-down produces: remote reads (each one HTTP request, paged) and at most one
 * local step that runs the rest of the statement over what they returned. Plain data, so EXPLAIN
 * can print it without touching the network.
 *
 * `SELECT TOP 5 name FROM account ORDER BY name` → one `remoteScan` with
 * `GET accounts?$select=name&$orderby=name&$top=5` and `output:{kind:'direct'}`: no local step.
 */
import type { Column, Table } from '../catalog/types.js';
import type { Query } from './logical.js';

export interface RemoteRequest {
  method: 'GET';
  /** relative to the service root */
  url: string;
  headers: Record<string, string>;
}

export interface RemoteScanStep {
  kind: 'remoteScan';
  scanId: number;
  table: Table;
  alias: string;
  request: RemoteRequest;
  /** the columns each row is decoded into, in order (for `$apply`: one per output, keyed by its alias) */
  columns: Column[];
  /**
   * Read at most this many rows, following nextLinks (a TOP above the service's page size, sent
   * without `$top`: the service would answer one page and no nextLink).
   */
  rowLimit?: number;
  /** a `/$count` read: the body is one plain number, the single row's only column */
  countOnly?: boolean;
  /**
   * set for an aggregate (`$apply`) read: each result column and the alias the service names it by;
   * `nullWhenNull`: the alias of a companion aggregate whose null makes this one null (SUM → its MAX)
   */
  aggregateOutputs?: { name: string; alias: string; nullWhenNull?: string }[];
  /**
   * Parent tables read along each row through a single-valued navigation (`$expand`) instead of
   * their own request: the local join then sees only the parents the rows refer to.
   */
  expand?: ExpandedScan[];
  /**
   * Set when the request is FetchXML (`GET accounts?fetchXml=…`): the `<fetch>` of the first page, from
   * which each next page's request is made (page number and paging cookie), its indented text for
   * EXPLAIN, and why FetchXML was chosen over OData for this scan.
   */
  fetchXml?: {
    entitySet: string;
    fetch: FetchXmlElement;
    pretty: string;
    reason: string;
    /** an aggregate: one page of at most 5,000 groups and no next page (5,000 rows back means some are missing) */
    aggregate?: boolean;
    /** page by number without the cookie (it tracks root rows only and would skip rows a join repeats) */
    simplePaging?: boolean;
    /**
     * a join that can repeat a root row, paged by the root key instead (src/fetchxml/key-paging.ts):
     * the root key's name and each link's key by alias
     */
    keyPaging?: { key: string; linkKeys: Record<string, string> };
    /** the URL is longer than a GET line takes: each page goes as the one GET of a `$batch` */
    viaBatch?: boolean;
    /**
     * a HAVING conjunct on a count (`count(*) > 1`), by which the groups come ordered: they are read
     * with `top` 100, then 1,000, then whole, stopping once the last group read fails it
     * (src/connection/having-cut.ts); every group HAVING keeps is then among those read
     */
    cut?: { alias: string; op: '>' | '>=' | '<' | '<='; value: number };
    /**
     * an aggregate the service may refuse (50,000 rows) answered by parts over ranges of a date
     * column, or of the distinct counts' column, and combined (src/fetchxml/split.ts); absent when
     * the parts cannot be combined exactly
     */
    split?: {
      attribute: string;
      scale: 'instant' | 'day' | 'integer' | 'number';
      distinctKey?: boolean;
      /** a distinct count of text or of a key, answered from the parts' groups of its column (src/fetchxml/distinct-groups.ts) */
      distinctGroup?: { alias: string; attribute: string; text: boolean; zeros: string[] };
      nullsBy?: string;
      groups: string[];
      textGroups: string[];
      aggregates: { alias: string; combine: 'sum' | 'min' | 'max' }[];
      orders: { alias: string; descending: boolean }[];
    };
    /**
     * run by parts from the start: the plan a refused OData aggregate falls back to, the service
     * having refused the same aggregate over the same rows already (pushdown/remote-language.ts)
     */
    byPartsOnly?: boolean;
  };
  /** what went into the request (`$filter: revenue > 1000`) */
  pushed: string[];
  /** what stays local and why (`LIKE '%a_b%': '_' is a wildcard the service would honour`) */
  notPushed: string[];
  /**
   * Read past its first page as ranges of a date column the service never changes (`createdon`)
   * at once (pushdown/partitioned-read.ts, connection/partitioned-pages.ts): when the first page
   * comes back full with a nextLink, the least and greatest value are read (two one-row requests),
   * the span cut into `ranges` half-open ranges (the first also holding the nulls), each read with
   * the statement's filter, `$orderby` and row limit, and their rows merged exactly once, by the
   * `$orderby` (`orderBy`: the decoded columns it sorts by) or as they arrive. Absent: page after page.
   */
  partition?: {
    /** the column's service name (`createdon`) */
    column: string;
    ranges: number;
    orderBy: { index: number; descending: boolean }[];
  };
  /** why a scan that could be read in ranges is not (`ordered by a GUID …`), for EXPLAIN */
  sequentialBecause?: string;
  /**
   * The same scan asked for the other chunks of a long key list (connection/subquery-keys.ts): the
   * scan's rows are this step's, then each of these steps'. The chunks' keys are distinct values of
   * one column, so no row is in two of them.
   */
  keyChunks?: RemoteScanStep[];
}

/** a FetchXML element as plain data (src/fetchxml/xml.ts writes its text) */
export interface FetchXmlElement {
  name: string;
  attributes: Record<string, string | undefined>;
  children: FetchXmlElement[];
  text?: string;
}

export interface ExpandedScan {
  scanId: number;
  table: Table;
  alias: string;
  /** the navigation property on the row's table (`parentcustomerid_account`) */
  navigation: string;
  /** the parent's columns the statement reads (its key included) */
  columns: Column[];
  /** the parent's primary-key column, to keep one row per parent */
  key: Column;
}

export interface LocalTableStep {
  kind: 'localTable';
  scanId: number;
  table: Table;
  alias: string;
  columns: Column[];
}

export type ScanStep = RemoteScanStep | LocalTableStep;

/** the statement's remainder, run by the local engine over the scans' rows */
export interface LocalStep {
  kind: 'local';
  query: Query;
  /** why the statement did not run entirely on the service */
  reasons: string[];
}

export type OutputShape =
  /** rows of the single remote scan are the result: `columns[i]` named `names[i]` */
  | { kind: 'direct'; names: string[]; columns: Column[] }
  | { kind: 'local'; step: LocalStep };

export interface PhysicalPlan {
  scans: ScanStep[];
  output: OutputShape;
  /** the parameter values the local step binds, by reference */
  params: ReadonlyMap<string | number, unknown>;
  /**
   * The same statement without `$apply`, aggregated locally: used when the service refuses the
   * aggregate with its 50,000-row limit (0x8004E023).
   */
  fallback?: PhysicalPlan;
}
