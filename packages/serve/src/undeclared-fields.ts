/**
 * Input fields that no type declares, refused in one pass over the variables before graphql-js coerces
 * them. graphql-js reports each such field as an error of its own that quotes the whole object (its
 * inspect lists every key), up to 50 errors: one CropInput of 10,000 made-up keys (a 128 KB body) held
 * the server's only JavaScript thread for 2.2 s, health probes included, and 200,000 keys (3 MB) for
 * 76 s. Here an object's undeclared fields are one error that names the path, the type, how many, and
 * the first few; the work is one look at each key.
 */
import type {
  GraphQLError as GraphQLErrorType,
  GraphQLInputType,
  GraphQLSchema,
  OperationDefinitionNode,
} from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { snippet } from '@facekit/core';
import {
  GraphQLError,
  isInputObjectType,
  isListType,
  isNonNullType,
  typeFromAST,
} from './graphql-runtime.js';

/** How many undeclared names a message quotes. */
const NAMES_QUOTED = 3;

interface Undeclared {
  /** The value's path, as graphql-js writes it: `in[3].crop`. */
  readonly path: string;
  readonly type: string;
  readonly names: readonly string[];
}

/** The first object under `value` (of GraphQL type `type`) that holds a field its type does not declare. */
function firstUndeclared(value: unknown, type: GraphQLInputType, path: string): Undeclared | undefined {
  if (value === null || value === undefined) return undefined;
  if (isNonNullType(type)) return firstUndeclared(value, type.ofType, path);
  if (isListType(type)) {
    // A single value where a list is declared is coerced as a list of one, as graphql-js does.
    if (!Array.isArray(value)) return firstUndeclared(value, type.ofType, path);
    for (const [i, item] of value.entries()) {
      const found = firstUndeclared(item, type.ofType, `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  // Scalars (GreyLevels and Upload among them) and enums take their values whole; a value of the wrong
  // kind is graphql-js's to report, once.
  if (!isInputObjectType(type) || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const fields = type.getFields();
  const names = Object.keys(value).filter((name) => !Object.hasOwn(fields, name));
  if (names.length > 0) return { path, type: type.name, names };
  for (const [name, field] of Object.entries(fields)) {
    const found = firstUndeclared((value as Record<string, unknown>)[name], field.type, `${path}.${name}`);
    if (found) return found;
  }
  return undefined;
}

/**
 * The error for the first variable value holding a field its input type does not declare, in
 * graphql-js's words ('Variable "$c" got invalid value …'), or undefined when there is none.
 */
export function undeclaredFieldsError(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): GraphQLErrorType | undefined {
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    // An unknown type name fails validation before this runs.
    if (!type) continue;
    const found = firstUndeclared(variables[name], type, name);
    if (!found) continue;
    const quoted = found.names.slice(0, NAMES_QUOTED).map((n) => `"${snippet(n, 40)}"`);
    const more = found.names.length > NAMES_QUOTED ? `, … (${found.names.length} in all)` : '';
    const fields = found.names.length === 1 ? 'Field' : 'Fields';
    const message = `Variable "$${name}" got invalid value at "${found.path}"; ${fields} ${quoted.join(', ')}${more} not defined by type "${found.type}".`;
    return new GraphQLError(message, {
      nodes: [definition],
      extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
    });
  }
  return undefined;
}

/** Refuses, before the operation runs, variables holding fields their input types do not declare. */
export function undeclaredFieldsPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request, schema }) {
          if (!operation) return;
          const error = undeclaredFieldsError(schema, operation, request.variables ?? {});
          if (error) throw error;
        },
      };
    },
  };
}
