/**
 * PGlite in a worker thread. PGlite runs Postgres as WebAssembly on the thread that calls it and
 * ignores statement_timeout, so `select pg_sleep(600)` on the main thread would freeze every client
 * and the driver with it. In a worker, the event loop stays free, and a call that overruns its
 * time limit is ended by terminating the worker (the owner then builds a fresh engine).
 *
 * The worker's source is plain CommonJS evaluated by `new Worker(code, { eval: true })`, so it needs
 * no build step or loader; it loads PGlite from the path resolved here.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData, threadId } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const { PGlite } = require(workerData.pglitePath);

// Postgres sizes its shared memory for a server of 100 connections and 128 MB of buffers, and PGlite
// touches all of it inside the WebAssembly memory at start: ~85 MB of RSS the mirror (a few MB of
// catalog rows, one session) never uses. PGlite's own start parameters are kept; these are added.
const options = {
  startParams: [
    ...PGlite.defaultStartParams,
    '-c', 'shared_buffers=8MB',
    '-c', 'wal_buffers=256kB',
    '-c', 'max_connections=8',
  ],
};

// initdb is most of a cold start; a pristine data directory saved once is loaded in a fraction of it.
// Building the mirror (hundreds of tables and constraints) costs as much again: a data directory saved
// after it (workerData.mirrorPath, named by a hash of the DDL) is loaded instead when it exists.
async function load(file) {
  if (!file || !fs.existsSync(file)) return undefined;
  try {
    const db = await PGlite.create({ ...options, loadDataDir: new Blob([fs.readFileSync(file)]) });
    const now = new Date();
    fs.utimesSync(file, now, now);
    return db;
  } catch {
    return undefined; // an unreadable snapshot is rebuilt (and replaced) below
  }
}

async function save(db, file) {
  try {
    const dump = Buffer.from(await (await db.dumpDataDir('gzip')).arrayBuffer());
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const partial = file + '.' + process.pid + '.' + threadId + '.partial';
    fs.writeFileSync(partial, dump, { mode: 0o600 });
    fs.renameSync(partial, file);
  } catch {
    // no cache this time
  }
}

async function open() {
  const mirrored = await load(workerData.mirrorPath);
  if (mirrored) return { db: mirrored, mirrored: true };
  const pristine = await load(workerData.snapshotPath);
  if (pristine) return { db: pristine, mirrored: false };
  const db = await PGlite.create(options);
  if (workerData.snapshotPath) await save(db, workerData.snapshotPath);
  return { db, mirrored: false };
}

/**
 * Saves the built mirror, then keeps only the most recently used few of this engine version (an org's
 * catalog changes now and then; each change would otherwise leave a file behind).
 */
async function saveMirror(db, file) {
  // pages still in shared buffers are not yet in the files dumpDataDir reads
  await db.exec('CHECKPOINT');
  await save(db, file);
  try {
    const dir = path.dirname(file);
    const prefix = path.basename(file).slice(0, path.basename(file).lastIndexOf('-') + 1);
    const kept = fs.readdirSync(dir)
      .filter((name) => name.startsWith(prefix) && name.endsWith('.tgz'))
      .map((name) => ({ name, used: fs.statSync(path.join(dir, name)).mtimeMs }))
      .sort((a, b) => b.used - a.used);
    for (const old of kept.slice(workerData.mirrorsKept)) fs.rmSync(path.join(dir, old.name), { force: true });
  } catch {
    // another process pruned first
  }
}

open().then(({ db, mirrored }) => {
  parentPort.on('message', async ({ id, kind, payload }) => {
    try {
      if (kind === 'saveMirror') {
        await saveMirror(db, workerData.mirrorPath);
        parentPort.postMessage({ id, ok: true });
      } else if (kind === 'exec') {
        await db.exec(payload);
        parentPort.postMessage({ id, ok: true });
      } else if (kind === 'raw') {
        const out = (await db.execProtocolRaw(payload)).slice();
        parentPort.postMessage({ id, ok: true, data: out }, [out.buffer]);
      } else if (kind === 'close') {
        await db.close();
        parentPort.postMessage({ id, ok: true });
      }
    } catch (error) {
      parentPort.postMessage({ id, ok: false, message: String((error && error.message) || error) });
    }
  });
  parentPort.postMessage({ ready: true, mirrored });
}, (error) => parentPort.postMessage({ ready: false, message: String((error && error.message) || error) }));
`;

/** Built mirrors kept per engine version in the cache folder: the most recently used. */
const MIRRORS_KEPT = 4;

/** Where a pristine PGlite data directory is kept between runs: `<cacheDirectory>/pglite-<version>-initdb.tgz`. */
export function engineSnapshotPath(cacheDirectory: string): string {
  const pglitePath = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  let version = 'unknown';
  try {
    version = (JSON.parse(readFileSync(join(dirname(pglitePath), '..', 'package.json'), 'utf8')) as { version?: string }).version ?? version;
  } catch {
    // keyed as unknown: still one snapshot per cache folder
  }
  return join(cacheDirectory, `pglite-${version.replace(/[^0-9A-Za-z.-]/g, '_')}-initdb.tgz`);
}

/**
 * Where the data directory with a built mirror is kept, beside the pristine one and named by what
 * built it: `pglite-<version>-mirror-<sha256 of the DDL, 16 hex digits>.tgz`. Other DDL, another file.
 */
export function mirrorSnapshotPath(snapshotPath: string, ddl: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of ddl) hash.update(`${part.length}:${part}`);
  return snapshotPath.replace(/-initdb\.tgz$/, '') + `-mirror-${hash.digest('hex').slice(0, 16)}.tgz`;
}

interface Reply {
  id?: number;
  ok?: boolean;
  ready?: boolean;
  mirrored?: boolean;
  data?: Uint8Array;
  message?: string;
}

/** Raised when a call overran its limit and the worker was terminated. */
export class EngineTimeout extends Error {
  override readonly name = 'EngineTimeout';
}

/** Raised when a call's signal fired: the worker was terminated, PGlite has no other way to stop a statement. */
export class EngineCancelled extends Error {
  override readonly name = 'EngineCancelled';
}

export class EngineThread {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private dead: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    /** loaded with the mirror already built (from `mirrorPath`): its DDL must not run again */
    readonly mirrored: boolean,
  ) {
    worker.on('message', (reply: Reply) => {
      if (reply.id === undefined) return;
      const p = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      p?.resolve(reply);
    });
    const fail = (error: Error) => {
      this.dead ??= error;
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`catalog engine exited (${code})`)));
  }

  /**
   * Starts PGlite in a worker: from `mirrorPath` when that file exists (`mirrored`), else from
   * `snapshotPath`, a pristine data directory it loads (or first saves). A `signal` that fires during
   * the start ends the worker (EngineCancelled): a server closed while its engine starts leaves no
   * thread behind.
   */
  static start(files: { snapshotPath?: string; mirrorPath?: string }, signal?: AbortSignal): Promise<EngineThread> {
    if (signal?.aborted) return Promise.reject(new EngineCancelled('catalog engine start cancelled'));
    const pglitePath = createRequire(import.meta.url).resolve('@electric-sql/pglite');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { pglitePath, ...files, mirrorsKept: MIRRORS_KEPT } });
    return new Promise((resolve, reject) => {
      const settle = () => {
        worker.off('error', onError);
        worker.off('exit', onExit);
        signal?.removeEventListener('abort', onAbort);
      };
      const onError = (error: Error) => (settle(), void worker.terminate(), reject(error));
      const onExit = (code: number) => (settle(), reject(new Error(`catalog engine exited while starting (${code})`)));
      const onAbort = () => (settle(), void worker.terminate(), reject(new EngineCancelled('catalog engine start cancelled')));
      worker.once('error', onError);
      worker.once('exit', onExit);
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.once('message', (reply: Reply) => {
        settle();
        if (reply.ready) resolve(new EngineThread(worker, reply.mirrored === true));
        else {
          void worker.terminate();
          reject(new Error(`catalog engine did not start: ${reply.message ?? 'unknown error'}`));
        }
      });
    });
  }

  private call(kind: 'exec' | 'raw' | 'close' | 'saveMirror', payload: unknown, timeoutMs: number, signal?: AbortSignal): Promise<Reply> {
    if (this.dead) return Promise.reject(this.dead);
    if (signal?.aborted) return Promise.reject(new EngineCancelled('catalog statement cancelled before it started'));
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      // PGlite computes inside the worker without yielding: ending the worker is the only way to stop it
      const stop = (error: Error) => {
        this.pending.delete(id);
        settle();
        reject(error);
        void this.terminate();
      };
      const onAbort = () => stop(new EngineCancelled('catalog statement cancelled'));
      const timer = setTimeout(() => stop(new EngineTimeout(`catalog statement ran longer than ${timeoutMs} ms`)), timeoutMs);
      const settle = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (r) => (settle(), resolve(r)),
        reject: (e) => (settle(), reject(e)),
      });
      this.worker.postMessage({ id, kind, payload });
    });
  }

  /** Saves the data directory as it is now to the start's `mirrorPath` (failures only cost the cache). */
  async saveMirror(timeoutMs: number): Promise<void> {
    await this.call('saveMirror', null, timeoutMs);
  }

  /** Runs an SQL script; rejects with the engine's message on error. */
  async exec(sql: string, timeoutMs: number): Promise<void> {
    const reply = await this.call('exec', sql, timeoutMs);
    if (!reply.ok) throw new Error(reply.message);
  }

  /** Sends raw frontend protocol messages; resolves with the raw backend messages. A `signal` that fires ends the worker (EngineCancelled). */
  async raw(bytes: Uint8Array, timeoutMs: number, signal?: AbortSignal): Promise<Uint8Array> {
    const reply = await this.call('raw', bytes, timeoutMs, signal);
    if (!reply.ok || !reply.data) throw new Error(reply.message ?? 'no answer from the catalog engine');
    return reply.data;
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  async close(): Promise<void> {
    if (this.dead) return;
    await this.call('close', null, 5_000).catch(() => undefined);
    await this.terminate();
  }

  async terminate(): Promise<void> {
    this.dead ??= new Error('catalog engine stopped');
    await this.worker.terminate();
  }
}
