export { type Clock, systemClock } from './clock.js';
export { type IntervalValue, addInterval, canonicalInterval, formatInterval, parseInterval } from './interval.js';
export { STATEMENT_TIME } from './statement-time.js';
export { collationKey } from './collation.js';
