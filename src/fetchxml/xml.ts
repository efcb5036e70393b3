/**
 * FetchXML as a small element tree, and its text. Every attribute value and text is escaped here,
 * the one place FetchXML text is written, so a user's value can never change the query's shape
 * (`name = 'a"/><condition'` stays one attribute value).
 *
 * `renderXml(element('fetch', {top: '5'}, [element('entity', {name: 'account'})]))` →
 * `<fetch top="5"><entity name="account"/></fetch>`.
 */

export interface XmlElement {
  name: string;
  /** attribute name → value, in writing order; undefined values are left out */
  attributes: Record<string, string | undefined>;
  children: XmlElement[];
  /** text content (`<value>`) */
  text?: string;
}

export function element(name: string, attributes: Record<string, string | undefined> = {}, children: XmlElement[] = [], text?: string): XmlElement {
  return text === undefined ? { name, attributes, children } : { name, attributes, children, text };
}

/** `&`, `<`, `>`, quotes and the control characters XML 1.0 allows escaped, as character references */
function escapeXml(text: string): string {
  return text.replace(/[&<>"'\t\n\r]/g, (c) => {
    switch (c) {
      case '&': return '&amp;';
      case '<': return '&lt;';
      case '>': return '&gt;';
      case '"': return '&quot;';
      case "'": return '&apos;';
      default: return `&#${c.charCodeAt(0)};`;
    }
  });
}

function openTag(e: XmlElement): string {
  let text = `<${e.name}`;
  for (const [name, value] of Object.entries(e.attributes)) if (value !== undefined) text += ` ${name}="${escapeXml(value)}"`;
  return text;
}

/** the compact text sent to the service */
export function renderXml(e: XmlElement): string {
  const open = openTag(e);
  if (e.text !== undefined) return `${open}>${escapeXml(e.text)}</${e.name}>`;
  if (e.children.length === 0) return `${open}/>`;
  return `${open}>${e.children.map(renderXml).join('')}</${e.name}>`;
}

/** the same text indented two spaces per level, one element a line (EXPLAIN) */
export function prettyXml(e: XmlElement, indent = ''): string {
  const open = `${indent}${openTag(e)}`;
  if (e.text !== undefined) return `${open}>${escapeXml(e.text)}</${e.name}>`;
  if (e.children.length === 0) return `${open} />`;
  return [`${open}>`, ...e.children.map((c) => prettyXml(c, `${indent}  `)), `${indent}</${e.name}>`].join('\n');
}

/** the element with attributes set (a copy; the plan's tree stays as it was) */
export function withAttributes(e: XmlElement, attributes: Record<string, string | undefined>): XmlElement {
  return { ...e, attributes: { ...e.attributes, ...attributes } };
}
