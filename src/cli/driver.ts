/**
 * The driver's `connect()` as the command uses it: by connection string. Tests of printing and REPL
 * mechanics pass their own function of this type through `runCli({ connect })`.
 */
import { connect, type Connection } from '../index.js';

export type ConnectFunction = (connection: string) => Promise<Connection>;

export const connectDriver: ConnectFunction = (connection) => connect(connection);
