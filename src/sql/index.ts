export type * from './ast.js';
export { parseSql, positionAt, type ParserDialect } from './parse.js';
