import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { Agent, EnvHttpProxyAgent, ProxyAgent, buildConnector, type Dispatcher } from 'undici';
import { DynasqlError } from '../errors/index.js';
import type { Logger } from './logger.js';

export interface DispatcherSettings {
  /** sockets per origin; a little above the concurrency cap so keep-alive reuse never starves */
  maxConcurrency: number;
  requestTimeoutMs: number;
  proxy?: string;
  useEnvProxy?: boolean;
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
  caFile?: string;
  /** the emulator on loopback is never reached through a proxy from the environment */
  isLoopback?: boolean;
}

/**
 * The undici dispatcher: a bounded keep-alive pool per origin, certificate checks always on (plus the
 * CA File when given), through the Proxy setting or HTTP(S)_PROXY / NO_PROXY. At verbosity 5 each new
 * connection is logged with its TLS details.
 */
export function createDispatcher(settings: DispatcherSettings, logger?: Logger): Dispatcher {
  const ca = settings.caFile ? readCa(settings.caFile) : undefined;
  const tls = { ...(ca ? { ca } : {}), rejectUnauthorized: true };
  const base = {
    connections: Math.min(64, settings.maxConcurrency + 2),
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 60_000,
    headersTimeout: settings.requestTimeoutMs,
    bodyTimeout: settings.requestTimeoutMs,
  };
  const connect = loggingConnector({ ...tls, timeout: Math.min(30_000, settings.requestTimeoutMs) }, logger);
  if (settings.proxy) {
    return new ProxyAgent({ ...base, uri: settings.proxy, requestTls: tls, proxyTls: tls });
  }
  const envProxy = settings.useEnvProxy !== false && !settings.isLoopback && (settings.httpProxy || settings.httpsProxy);
  if (envProxy) {
    return new EnvHttpProxyAgent({
      ...base,
      ...(settings.httpProxy ? { httpProxy: settings.httpProxy } : {}),
      ...(settings.httpsProxy ? { httpsProxy: settings.httpsProxy } : {}),
      ...(settings.noProxy ? { noProxy: settings.noProxy } : {}),
      requestTls: tls,
      connect,
    });
  }
  return new Agent({ ...base, connect });
}

function readCa(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new DynasqlError('DYNASQL_ERR_CONFIG', `Setting 'CA File' could not be read: ${(error as Error).message}`, { cause: error });
  }
}

/** undici's connector, with each established socket described at verbosity 5. */
function loggingConnector(options: buildConnector.BuildOptions, logger?: Logger): buildConnector.connector {
  const connector = buildConnector(options);
  if (!logger?.enabled(5)) return connector;
  return (opts, callback) => {
    const started = Date.now();
    connector(opts, (error, socket) => {
      if (error) {
        logger.log(5, `connect ${opts.protocol}//${opts.hostname}:${opts.port} failed after ${Date.now() - started} ms: ${error.message}`);
        callback(error, null);
        return;
      }
      const s = socket!;
      let line = `connected ${opts.protocol}//${opts.hostname}:${opts.port} from ${s.localAddress}:${s.localPort} to ${s.remoteAddress}:${s.remotePort} in ${Date.now() - started} ms`;
      const tlsSocket = s as TLSSocket;
      if (typeof tlsSocket.getProtocol === 'function') {
        const cert = tlsSocket.getPeerCertificate?.();
        const cipher = tlsSocket.getCipher?.();
        line += `; TLS ${tlsSocket.getProtocol() ?? '?'} ${cipher?.name ?? ''} authorized=${tlsSocket.authorized}`;
        if (cert && cert.subject) line += `; server certificate CN=${cert.subject.CN ?? '?'} issuer CN=${cert.issuer?.CN ?? '?'} valid to ${cert.valid_to}`;
      }
      logger.log(5, line);
      const localPort = s.localPort;
      s.once('close', () => logger.log(5, `closed ${opts.protocol}//${opts.hostname}:${opts.port} (local port ${localPort})`));
      callback(null, s);
    });
  };
}
