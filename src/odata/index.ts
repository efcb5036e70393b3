export { odataLiteral, encodeQueryOptionValue, type LiteralTarget, type LiteralValue } from './literal.js';
export { serializeFilter, andAll, orAll, type ODataFilter, type CompareOp } from './filter.js';
export { queryUrl, queryHeaders, FORMATTED_VALUE, LOOKUP_LOGICAL_NAME, type ODataQuery, type ODataOrderBy, type ODataExpand } from './query.js';
export { parseJsonLossless, JsonNumberText, type JsonValue } from './json.js';
export { aggregateDecoderFor, applyNullGuards, parsePage, decoderFor, decoderForEdm, sourceKey, type ODataPage, type DecodedValue, type ValueDecoder } from './decode.js';
export { serializeApply, type ApplySpec, type ApplyAggregate } from './apply.js';
export { pageLayout, sliceText, type PageLayout } from './page-layout.js';
export { boundUrl, withCondition } from './range-query.js';
