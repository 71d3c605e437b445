/**
 * The `GreyLevels` scalar: a face's 2304 grey levels as a JSON array of integers 0–255. A custom
 * scalar rather than `[Int!]` for two reasons measured under load: graphql-js coerces a list element by
 * element (about a tenth of the server's CPU at 2304 elements per request, plus a copy), and a list
 * coercion error fails the whole request, where one bad face in a classifyBatch must fail only its own
 * item. So the scalar only checks it was given an array; core's validatePixels checks count and values
 * in the resolver and reports `INVALID_PIXELS` naming the input and the index.
 */
import { GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped } from '../graphql-runtime.js';

export const GreyLevelsScalar = new GraphQLScalarType<readonly unknown[], number[]>({
  name: 'GreyLevels',
  description:
    'A 48×48 face: 2304 grey levels, integers 0–255, row-major (a JSON array of numbers; checked per input).',
  serialize: (value) => Array.from(value as ArrayLike<number>),
  parseValue: (value) => {
    if (!Array.isArray(value)) throw new GraphQLError('GreyLevels must be an array of 2304 integers 0–255');
    return value;
  },
  parseLiteral: (node, variables) => {
    if (node.kind !== Kind.LIST)
      throw new GraphQLError('GreyLevels must be a list of 2304 integers 0–255', { nodes: node });
    // Each element as the JS value it writes ("5" stays a string), for validatePixels to check and show.
    return node.values.map((value) => valueFromASTUntyped(value, variables));
  },
});
