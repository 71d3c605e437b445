/**
 * Depth and cost limits, checked once an operation is resolved and before anything runs. The schema
 * has no recursive types, but introspection does (`ofType { ofType { … } }`), and aliases let one
 * request repeat `classify` hundreds of times; so depth counts nested fields and cost counts every
 * field, each face costing FACE_COST more (a photo PHOTO_COST more again) and classifyBatch
 * multiplying its sub-selection by its item count (classifyFaces by its maxFaces) (read from the literal list or the variable, whose
 * value is the one sent or else its default in the query).
 * Breaches answer `QUERY_TOO_DEEP`, `BATCH_TOO_LARGE` or `QUERY_TOO_COSTLY` with HTTP 400, before any
 * image is decoded.
 */
import type {
  FragmentDefinitionNode,
  GraphQLError as GraphQLErrorType,
  OperationDefinitionNode,
  SelectionSetNode,
  ValueNode,
} from 'graphql';
import { GraphQLError, Kind, valueFromASTUntyped } from './graphql-runtime.js';
import type { ApolloServerPlugin } from '@apollo/server';
import type { ServeErrorCode } from './errors.js';
import { DETECTION_DEFAULTS } from '@facekit/core';

/** Extra cost of running one face through the models. */
export const FACE_COST = 10;

/**
 * Extra cost of a face sent as a photo: decoding one can take a thousand times a face's inference (a
 * 16-megapixel PNG of a few kilobytes: about a quarter of a second), so the cost limit (12,000 by
 * default) lets about a hundred photos into one request, where it lets a thousand faces as grey levels.
 */
export const PHOTO_COST = 100;

type Fragments = Map<string, FragmentDefinitionNode>;

/**
 * A fragment's figure, computed once per request however often it is spread: without it, fragments
 * that each spread the next one twice cost 2^depth walks (a 1 KB query held the server for 44 s).
 * `inProgress` marks fragments being computed, so a cycle (which validation refuses anyway) ends.
 */
function memoised<T>(memo: Map<string, T | 'inProgress'>, name: string, empty: T, compute: () => T): T {
  const known = memo.get(name);
  if (known === 'inProgress') return empty;
  if (known !== undefined) return known;
  memo.set(name, 'inProgress');
  const value = compute();
  memo.set(name, value);
  return value;
}

/**
 * A selection's nesting, the fields that can fan out: `ofType` does not count, as each of its levels is
 * one type (a list's or non-null's), not a list of them. The introspection query every GraphQL tool
 * sends (graphql-js's getIntrospectionQuery, GraphiQL, Apollo Sandbox, codegen) reads a type through
 * seven `ofType` levels: counted, it nested 15 deep, over the limit of 12, so the development server's
 * own landing page could not load the schema; `fields { type { fields { type …` still counts each level.
 */
export function queryDepth(
  set: SelectionSetNode,
  fragments: Fragments,
  memo: Map<string, number | 'inProgress'> = new Map(),
): number {
  let depth = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      const own = sel.name.value === 'ofType' ? 0 : 1;
      depth = Math.max(depth, own + (sel.selectionSet ? queryDepth(sel.selectionSet, fragments, memo) : 0));
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      depth = Math.max(depth, queryDepth(sel.selectionSet, fragments, memo));
    } else {
      const fragment = fragments.get(sel.name.value);
      if (fragment)
        depth = Math.max(
          depth,
          memoised(memo, sel.name.value, 0, () => queryDepth(fragment.selectionSet, fragments, memo)),
        );
    }
  }
  return depth;
}

function listLength(value: ValueNode | undefined, variables: Record<string, unknown>): number {
  if (!value) return 0;
  if (value.kind === Kind.LIST) return value.values.length;
  if (value.kind === Kind.VARIABLE) {
    const v = variables[value.name.value];
    return Array.isArray(v) ? v.length : v === undefined || v === null ? 0 : 1;
  }
  return 1;
}

/** classifyFaces' `maxFaces` (literal or variable), its default when absent, at least 1. */
function facesAsked(value: ValueNode | undefined, variables: Record<string, unknown>): number {
  const given =
    value?.kind === Kind.INT
      ? Number(value.value)
      : value?.kind === Kind.VARIABLE
        ? variables[value.name.value]
        : undefined;
  return typeof given === 'number' && Number.isFinite(given)
    ? Math.max(1, Math.floor(given))
    : DETECTION_DEFAULTS.maxFaces;
}

/** The fields of a ClassifyInput that hold a photo: base64 text, or a file of a multipart request. */
const PHOTO_FIELDS = ['image', 'photo'];

/** How many of the faces in an `input` or `inputs` argument are photos (literal or variable). */
function photoCount(value: ValueNode | undefined, variables: Record<string, unknown>): number {
  if (!value) return 0;
  if (value.kind === Kind.LIST) return value.values.reduce((n, item) => n + photoCount(item, variables), 0);
  if (value.kind === Kind.OBJECT)
    return value.fields.some((f) => PHOTO_FIELDS.includes(f.name.value) && f.value.kind !== Kind.NULL)
      ? 1
      : 0;
  if (value.kind !== Kind.VARIABLE) return 0;
  const given = variables[value.name.value];
  const isPhoto = (v: unknown) =>
    typeof v === 'object' &&
    v !== null &&
    PHOTO_FIELDS.some((field) => (v as Record<string, unknown>)[field] != null);
  return (Array.isArray(given) ? given : [given]).filter(isPhoto).length;
}

/** A selection set's estimated cost for one execution, and its largest classifyBatch item count. */
export interface QueryCost {
  readonly cost: number;
  readonly largestBatch: number;
}

/**
 * Estimated cost of a selection set run once: every field 1, each face FACE_COST more (and a photo
 * PHOTO_COST more again), a classifyBatch's sub-selection multiplied by its items. Cost is linear in
 * how often a set runs, so a fragment's is computed once and multiplied wherever it is spread.
 */
export function queryCost(
  set: SelectionSetNode,
  fragments: Fragments,
  variables: Record<string, unknown>,
  memo: Map<string, QueryCost | 'inProgress'> = new Map(),
): QueryCost {
  let cost = 0;
  let largestBatch = 0;
  const add = (inner: QueryCost, times: number) => {
    cost += times * inner.cost;
    largestBatch = Math.max(largestBatch, inner.largestBatch);
  };
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      let times = 1;
      const argument = (name: string) => sel.arguments?.find((a) => a.name.value === name)?.value;
      if (sel.name.value === 'classify')
        cost += FACE_COST + PHOTO_COST * photoCount(argument('input'), variables);
      if (sel.name.value === 'classifyFaces') {
        // A photo searched, then up to maxFaces faces run, each with its share of the sub-selection.
        times = facesAsked(argument('maxFaces'), variables);
        cost += PHOTO_COST + times * FACE_COST;
      }
      if (sel.name.value === 'classifyBatch') {
        times = listLength(argument('inputs'), variables);
        largestBatch = Math.max(largestBatch, times);
        cost += times * FACE_COST + PHOTO_COST * photoCount(argument('inputs'), variables);
      }
      cost += 1;
      if (sel.selectionSet) add(queryCost(sel.selectionSet, fragments, variables, memo), times);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      add(queryCost(sel.selectionSet, fragments, variables, memo), 1);
    } else {
      const fragment = fragments.get(sel.name.value);
      const none = { cost: 0, largestBatch: 0 };
      if (fragment)
        add(
          memoised(memo, sel.name.value, none, () =>
            queryCost(fragment.selectionSet, fragments, variables, memo),
          ),
          1,
        );
    }
  }
  return { cost, largestBatch };
}

/**
 * The variables as the operation will run with them: those sent, and for the rest their default
 * values written in the query. Photos given as a default cost what they would cost sent as variables.
 */
export function effectiveVariables(
  operation: OperationDefinitionNode,
  sent: Record<string, unknown>,
): Record<string, unknown> {
  const variables = { ...sent };
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (variables[name] === undefined && definition.defaultValue)
      variables[name] = valueFromASTUntyped(definition.defaultValue);
  }
  return variables;
}

function limitError(code: ServeErrorCode, message: string, field = 'query'): GraphQLErrorType {
  return new GraphQLError(message, { extensions: { code, field, http: { status: 400 } } });
}

export interface QueryLimits {
  readonly maxQueryDepth: number;
  readonly maxQueryCost: number;
  readonly maxBatchItems: number;
}

export function queryLimitsPlugin(limits: QueryLimits): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request }) {
          if (!operation) return;
          const fragments: Fragments = new Map();
          for (const d of document.definitions)
            if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
          const depth = queryDepth(operation.selectionSet, fragments);
          if (depth > limits.maxQueryDepth) {
            throw limitError(
              'QUERY_TOO_DEEP',
              `query: nests ${depth} fields deep; the limit is ${limits.maxQueryDepth}`,
            );
          }
          const { cost, largestBatch: largest } = queryCost(
            operation.selectionSet,
            fragments,
            effectiveVariables(operation, request.variables ?? {}),
          );
          if (largest > limits.maxBatchItems) {
            // Said before the cost, which a large batch also exceeds: the item count is what to fix.
            throw limitError(
              'BATCH_TOO_LARGE',
              `inputs: holds ${largest} items; the limit is ${limits.maxBatchItems}`,
              'inputs',
            );
          }
          if (cost > limits.maxQueryCost) {
            throw limitError(
              'QUERY_TOO_COSTLY',
              `query: estimated cost ${cost} exceeds the limit of ${limits.maxQueryCost}`,
            );
          }
        },
      };
    },
  };
}
