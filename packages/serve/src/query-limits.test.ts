import {
  getIntrospectionQuery,
  parse,
  type OperationDefinitionNode,
  type FragmentDefinitionNode,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { doublingFragments } from '../test/harness.js';
import { UploadedFile } from './multipart-request.js';
import { effectiveVariables, FACE_COST, PHOTO_COST, queryCost, queryDepth } from './query-limits.js';

function analyse(query: string, variables: Record<string, unknown> = {}) {
  const doc = parse(query);
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
  const fragments = new Map(
    doc.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === 'FragmentDefinition')
      .map((d) => [d.name.value, d]),
  );
  const { cost, largestBatch } = queryCost(op.selectionSet, fragments, effectiveVariables(op, variables));
  return { depth: queryDepth(op.selectionSet, fragments), cost, largestBatch };
}

describe('query limits', () => {
  it('measures depth through fragments', () => {
    expect(analyse('{ health { ready } }').depth).toBe(2);
    expect(analyse('query { ...F } fragment F on Query { models { ageGroups { label } } }').depth).toBe(3);
    // ofType is one type a level, not a list: its chain does not count; the fan-out of fields does.
    const ofType = 'ofType { '.repeat(10) + 'name' + ' }'.repeat(10);
    expect(analyse(`{ __schema { types { fields { type { ${ofType} } } } } }`).depth).toBe(5);
    const fanOut = 'fields { args { type { '.repeat(2) + 'name' + ' } } }'.repeat(2);
    expect(analyse(`{ __schema { types { ${fanOut} } } }`).depth).toBe(9);
    // The introspection query of GraphQL's tools, which the limit of 12 refused at 15.
    expect(analyse(getIntrospectionQuery()).depth).toBe(6);
  });

  it('charges each face and multiplies a batch by its items, literal or variable', () => {
    const one = analyse('mutation { classify(input: {pixels: [1]}) { provider } }');
    expect(one.cost).toBe(FACE_COST + 2);
    const literal = analyse(
      'mutation { classifyBatch(inputs: [{pixels: [1]}, {pixels: [2]}, {pixels: [3]}]) { provider age { label } } }',
    );
    expect(literal.cost).toBe(1 + 3 * FACE_COST + 3 * 3);
    expect(literal.largestBatch).toBe(3);
    const variable = analyse('mutation($i: [ClassifyInput!]!) { classifyBatch(inputs: $i) { provider } }', {
      i: new Array(100).fill({}),
    });
    expect(variable.cost).toBe(1 + 100 * FACE_COST + 100);
    expect(variable.largestBatch).toBe(100);
  });

  it('charges a photo more than grey levels, literal or variable, alone or in a batch', () => {
    const literal = analyse('mutation { classify(input: {image: "aGk="}) { provider } }');
    expect(literal.cost).toBe(FACE_COST + PHOTO_COST + 2);
    const one = analyse('mutation($i: ClassifyInput!) { classify(input: $i) { provider } }', {
      i: { image: 'aGk=' },
    });
    expect(one.cost).toBe(FACE_COST + PHOTO_COST + 2);
    const batch = analyse('mutation($i: [ClassifyInput!]!) { classifyBatch(inputs: $i) { provider } }', {
      i: [{ image: 'aGk=' }, { pixels: [1] }, { image: 'aGk=', crop: { x: 0, y: 0, size: 1 } }],
    });
    expect(batch.cost).toBe(1 + 3 * FACE_COST + 2 * PHOTO_COST + 3);
    const mixed = analyse(
      'mutation($a: ClassifyInput!) { classifyBatch(inputs: [$a, {pixels: [1]}, {image: "aGk="}]) { provider } }',
      { a: { image: 'aGk=' } },
    );
    expect(mixed.cost).toBe(1 + 3 * FACE_COST + 2 * PHOTO_COST + 3);
  });

  it('charges a photo sent as a file (a multipart request) as one sent as base64', () => {
    const file = new UploadedFile(Buffer.from('hi'), 'a.jpg', 'image/jpeg');
    const batch = analyse('mutation($i: [ClassifyInput!]!) { classifyBatch(inputs: $i) { provider } }', {
      i: [{ photo: file }, { pixels: [1] }, { photo: file }],
    });
    expect(batch.cost).toBe(1 + 3 * FACE_COST + 2 * PHOTO_COST + 3);
    const inline = analyse('mutation($p: Upload) { classify(input: {photo: $p}) { provider } }', { p: file });
    expect(inline.cost).toBe(FACE_COST + PHOTO_COST + 2);
  });

  it('charges classifyFaces a photo and maxFaces faces, its sub-selection once per face', () => {
    const selection = '{ width faces { score } }';
    // 1 for classifyFaces, then per face: width, faces, score.
    const expected = (faces: number) => 1 + PHOTO_COST + faces * FACE_COST + faces * 3;
    expect(analyse(`mutation { classifyFaces(image: "aGk=") ${selection} }`).cost).toBe(expected(10));
    expect(analyse(`mutation { classifyFaces(image: "aGk=", maxFaces: 3) ${selection} }`).cost).toBe(
      expected(3),
    );
    const variable = `mutation($n: Int) { classifyFaces(image: "aGk=", maxFaces: $n) ${selection} }`;
    expect(analyse(variable, { n: 40 }).cost).toBe(expected(40));
    expect(analyse(variable).cost).toBe(expected(10));
    expect(analyse(variable, { n: 0 }).cost).toBe(expected(1));
  });

  it('charges faces given as variable defaults in the query as if they were sent', () => {
    const photos = Array.from({ length: 5 }, () => '{image: "aGk="}').join(', ');
    const batch = analyse(
      `mutation($i: [ClassifyInput!]! = [${photos}]) { classifyBatch(inputs: $i) { provider } }`,
    );
    expect(batch.largestBatch).toBe(5);
    expect(batch.cost).toBe(1 + 5 * FACE_COST + 5 * PHOTO_COST + 5);
    const one = analyse(
      'mutation($i: ClassifyInput! = {image: "aGk="}) { a: classify(input: $i) { provider } b: classify(input: $i) { provider } }',
    );
    expect(one.cost).toBe(2 * (FACE_COST + PHOTO_COST + 2));
    // A value sent replaces the default.
    const sent = analyse(
      `mutation($i: [ClassifyInput!]! = [${photos}]) { classifyBatch(inputs: $i) { provider } }`,
      {
        i: [{ pixels: [1] }],
      },
    );
    expect(sent.cost).toBe(1 + FACE_COST + 1);
  });

  it('adds up aliases', () => {
    const aliases = Array.from(
      { length: 50 },
      (_, i) => `a${i}: classify(input: {pixels: [1]}) { provider }`,
    ).join(' ');
    expect(analyse(`mutation { ${aliases} }`).cost).toBe(50 * (FACE_COST + 2));
  });

  it('walks each fragment once, however often it is spread', () => {
    // Each fragment spreads the next twice: walked at every spread, 2^40 walks (the request would hang).
    const levels = 40;
    const { depth, cost } = analyse(doublingFragments(levels));
    expect(depth).toBe(2);
    expect(cost).toBe(2 ** (levels - 1) * 2);
  });
});
