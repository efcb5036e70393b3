export { element, prettyXml, renderXml, withAttributes, type XmlElement } from './xml.js';
export { fetchXmlUrl, parseFetchPage, PAGING_COOKIE, MORE_RECORDS, type FetchPaging } from './request.js';
export { boundFetch, combineParts, rangeFetch, type SplitSpec } from './split.js';
