/**
 * The driver's `connect()` as the command uses it: by connection string. Tests of printing and REPL
 * mechanics pass their own function of this type through `runCli({ connect })`.
 * The driver is loaded on first use, so `dynasql --help` and `--version` answer at once.
 */
import type { Connection } from '../index.js';

export type ConnectFunction = (connection: string) => Promise<Connection>;

export const connectDriver: ConnectFunction = async (connection) => {
  const { connect } = await import('../index.js');
  return connect(connection);
};
