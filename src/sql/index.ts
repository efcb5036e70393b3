export type * from './ast.js';
export { parseSql, positionAt, type ParserDialect } from './parse.js';
export { locateIdentifier, withSqlPosition } from './locate.js';
