/**
 * A deliberately small, strict XML well-formedness check for the chart and
 * HTML tests (one copy, instead of four): an XML declaration, then one root
 * element; tags balanced; attributes quoted, unique and entity-clean; no
 * stray `<` or `&` in text. Returns every element in document order, each
 * with its decoded text and its parent. The SVG writer emits no comments,
 * CDATA or processing instructions besides the declaration, so none are
 * accepted.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  /** Text directly inside the element, entities decoded. */
  text: string;
  /** The enclosing element, `null` for the root. */
  parent: XmlElement | null;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the five predefined entities and numeric ones; any other `&` throws. */
export function decodeXmlText(text: string): string {
  return text.replace(/&([^;]*);|&/g, (_match, name: string | undefined) => {
    if (name === undefined) throw new Error('bare & in text');
    if (/^#\d+$/.test(name)) return String.fromCodePoint(Number(name.slice(1)));
    const value = ENTITIES[name];
    if (value === undefined) throw new Error(`unknown entity &${name};`);
    return value;
  });
}

/** The elements of a well-formed XML document, else throws saying what is wrong. */
export function parseXml(xml: string): XmlElement[] {
  const declaration = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/;
  if (!declaration.test(xml)) throw new Error('missing XML declaration');
  const body = xml.replace(declaration, '');
  const elements: XmlElement[] = [];
  const stack: XmlElement[] = [];
  const token = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  let rootClosed = false;
  for (const m of body.matchAll(token)) {
    const [, closing, name, attributeText, selfClosing, text, strayLt] = m;
    if (strayLt !== undefined) throw new Error(`malformed tag at ${m.index}: ${body.slice(m.index, m.index + 40)}`);
    if (text !== undefined) {
      const decoded = decodeXmlText(text);
      const top = stack[stack.length - 1];
      if (top === undefined) {
        if (decoded.trim() !== '') throw new Error('text outside the root element');
      } else top.text += decoded;
      continue;
    }
    if (name === undefined) continue;
    if (closing === '/') {
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`</${name}> closes <${open?.name ?? 'nothing'}>`);
      if (stack.length === 0) rootClosed = true;
      continue;
    }
    if (rootClosed || (stack.length === 0 && elements.length > 0)) throw new Error('more than one root element');
    const attributes: Record<string, string> = {};
    for (const a of (attributeText ?? '').matchAll(/([\w.:-]+)="([^"]*)"/g)) {
      const [, key = '', value = ''] = a;
      if (key in attributes) throw new Error(`duplicate attribute ${key} on <${name}>`);
      attributes[key] = decodeXmlText(value);
    }
    const element: XmlElement = { name, attributes, text: '', parent: stack[stack.length - 1] ?? null };
    elements.push(element);
    if (selfClosing !== '/') stack.push(element);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.map((e) => e.name).join('> <')}>`);
  if (!rootClosed) throw new Error('no root element');
  return elements;
}
