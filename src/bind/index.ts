export { bindQuery, type BindOptions } from './bind.js';
export { containsAggregate } from '../plan/index.js';
