export { element, prettyXml, renderXml, withAttributes, type XmlElement } from './xml.js';
export { fetchXmlUrl, parseFetchPage, PAGING_COOKIE, MORE_RECORDS, type FetchPage, type FetchPaging } from './request.js';
export type { FetchCursor, KeyPaging } from './key-paging.js';
export { boundFetch, combineParts, nullsFetch, rangeFetch, type SplitSpec } from './split.js';
export { distinctGroupFetch, type DistinctGroup } from './distinct-groups.js';
export { scaleBounds, scaleEnd, scaleMiddle, scaleText, scaleValue, type SplitScale } from './split-scale.js';
export { compareNumberTexts } from './number-text.js';
