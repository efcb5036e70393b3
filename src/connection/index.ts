export { connect, type ConnectEdges, type ConnectInput } from './connect.js';
export type * from './types.js';
