import { describe, expect, it } from 'vitest';
import { findAll, parseXml, textContent } from './xml-check.js';

describe('parseXml', () => {
  it('reads a declaration, comments, attributes, entities and nesting', () => {
    const doc = parseXml(
      '<?xml version="1.0"?>\n<!-- c --><svg a="1 &amp; 2"><g><text x=\'3\'>a &lt; b &#65;&#x42;</text></g><rect/></svg>\n',
    );
    expect(doc.name).toBe('svg');
    expect(doc.attrs.a).toBe('1 & 2');
    expect(findAll(doc, (e) => e.name === 'text')[0]?.attrs.x).toBe('3');
    expect(textContent(doc)).toBe('a < b AB');
    expect(findAll(doc, () => true).map((e) => e.name)).toEqual(['svg', 'g', 'text', 'rect']);
  });

  it.each([
    ['crossed tags', '<a><b></a></b>'],
    ['unclosed root', '<a><b/>'],
    ['duplicate attribute', '<a x="1" x="2"/>'],
    ['unquoted attribute', '<a x=1/>'],
    ['attributes run together', '<a x="1"y="2"/>'],
    ['bare <', '<a>1 < 2</a>'],
    ['bare &', '<a>fish & chips</a>'],
    ['unknown entity', '<a>&nbsp;</a>'],
    ['< in an attribute', '<a x="<"/>'],
    ['two roots', '<a/><b/>'],
    ['no root', '<!-- only a comment -->'],
  ])('rejects %s', (_, source) => {
    expect(() => parseXml(source)).toThrow(SyntaxError);
  });
});
