/**
 * A strict, small XML reader for checking the SVGs this package writes: it rejects anything that is
 * not well-formed (unbalanced tags, duplicate attributes, bare `<` or `&`, unknown entities, trailing
 * content) and returns the element tree so tests can assert on structure and visible text. Our SVGs use
 * no DTDs, CDATA or processing instructions beyond the XML declaration, so neither does this reader.
 */

export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** Decoded character data directly inside this element. */
  readonly text: string;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const NAME = /[A-Za-z_:][\w:.-]*/y;

function decode(raw: string, at: number): string {
  if (raw.includes('<')) throw new SyntaxError(`bare "<" in character data near offset ${at}`);
  return raw.replace(/&([^;\s&]*);?/g, (match, body: string) => {
    if (!match.endsWith(';')) throw new SyntaxError(`unterminated "&" near offset ${at}`);
    if (body in ENTITIES) return ENTITIES[body]!;
    const code = /^#x([0-9a-f]+)$/i.exec(body)?.[1] ?? /^#([0-9]+)$/.exec(body)?.[1];
    if (code === undefined) throw new SyntaxError(`unknown entity "&${body};" near offset ${at}`);
    return String.fromCodePoint(body.startsWith('#x') ? parseInt(code, 16) : Number(code));
  });
}

/** Parses a complete XML document (an optional declaration, comments, one root element). */
export function parseXml(source: string): XmlElement {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at offset ${i}`);
  };
  const skipSpace = () => {
    while (/\s/.test(source[i] ?? '')) i++;
  };
  const skipMisc = () => {
    for (skipSpace(); source.startsWith('<!--', i); skipSpace()) {
      const end = source.indexOf('-->', i + 4);
      if (end < 0) fail('unterminated comment');
      i = end + 3;
    }
  };
  const name = (): string => {
    NAME.lastIndex = i;
    const m = NAME.exec(source);
    if (!m) return fail('expected a name');
    i += m[0].length;
    return m[0];
  };
  const element = (): XmlElement => {
    if (source[i] !== '<') fail('expected "<"');
    i++;
    const tag = name();
    const attrs: Record<string, string> = {};
    for (;;) {
      const before = i;
      skipSpace();
      if (source.startsWith('/>', i)) {
        i += 2;
        return { name: tag, attrs, children: [], text: '' };
      }
      if (source[i] === '>') break;
      if (i === before) fail(`expected whitespace before an attribute of <${tag}>`);
      const key = name();
      skipSpace();
      if (source[i++] !== '=') fail(`expected "=" after ${key}`);
      skipSpace();
      const quote = source[i++];
      if (quote !== '"' && quote !== "'") return fail(`expected a quoted value for ${key}`);
      const end = source.indexOf(quote, i);
      if (end < 0) fail(`unterminated value of ${key}`);
      if (key in attrs) fail(`duplicate attribute ${key} on <${tag}>`);
      attrs[key] = decode(source.slice(i, end), i);
      i = end + 1;
    }
    i++;
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      if (i >= source.length) fail(`<${tag}> is never closed`);
      if (source.startsWith('</', i)) {
        i += 2;
        const closing = name();
        if (closing !== tag) fail(`</${closing}> closes <${tag}>`);
        skipSpace();
        if (source[i++] !== '>') fail('expected ">"');
        return { name: tag, attrs, children, text };
      }
      if (source.startsWith('<!--', i)) skipMisc();
      else if (source[i] === '<') children.push(element());
      else {
        const next = source.indexOf('<', i);
        const end = next < 0 ? source.length : next;
        text += decode(source.slice(i, end), i);
        i = end;
      }
    }
  };
  if (source.startsWith('<?xml')) {
    const end = source.indexOf('?>');
    if (end < 0) fail('unterminated XML declaration');
    i = end + 2;
  }
  skipMisc();
  const root = element();
  skipMisc();
  if (i !== source.length) fail('content after the root element');
  return root;
}

/** Every element of the tree (root first) that satisfies `test`. */
export function findAll(root: XmlElement, test: (e: XmlElement) => boolean): XmlElement[] {
  const out: XmlElement[] = test(root) ? [root] : [];
  for (const child of root.children) out.push(...findAll(child, test));
  return out;
}

/** All character data under `e`: its own text, then its children's, depth first. */
export function textContent(e: XmlElement): string {
  return e.text + e.children.map(textContent).join('');
}
