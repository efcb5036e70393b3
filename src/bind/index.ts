export { bindQuery, containsAggregate, type BindOptions } from './bind.js';
