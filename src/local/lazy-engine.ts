/**
 * The local engine as the connection holds it: DuckDB (a native module of some 30 MB) is imported on
 * the first statement that needs it, not when `dynasql` is imported, so apps and statements that run
 * entirely on the service never load it. The first local statement pays the engine's start once.
 * Each method forwards to the DuckDB engine in engine.ts.
 */
import { DynasqlError } from '../errors/index.js';
import type { Query } from '../plan/index.js';
import type { LocalEngine as DuckDbEngine, LocalEngineSettings, LocalInput, LocalResult } from './engine.js';
import { DuckDbRenderer } from './render.js';

export class LocalEngine {
  private engine?: Promise<DuckDbEngine>;
  private closed = false;

  constructor(private readonly settings: LocalEngineSettings = {}) {}

  /** renders without running (EXPLAIN shows the local SQL, with the scans' temp tables as engine.ts names them) */
  static render(query: Query, params: ReadonlyMap<string | number, unknown>): string {
    return new DuckDbRenderer((scanId) => `scan_${scanId}`, params).render(query).sql;
  }

  async run(query: Query, inputs: LocalInput[], params: ReadonlyMap<string | number, unknown>, signal?: AbortSignal): Promise<LocalResult> {
    return (await this.started()).run(query, inputs, params, signal);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (!this.engine) return;
    const engine = await this.engine.catch(() => undefined);
    await engine?.close();
  }

  private started(): Promise<DuckDbEngine> {
    // closed before any local statement: refuse as the started engine does, without loading it
    if (this.closed && !this.engine) throw new DynasqlError('DYNASQL_ERR_CANCELLED', 'The local engine was closed.');
    this.engine ??= import('./engine.js').then((module) => new module.LocalEngine(this.settings));
    return this.engine;
  }
}
