/**
 * Depth and cost limits, checked once an operation is resolved and before anything runs. The schema
 * has no recursive types, but introspection does (`ofType { ofType { … } }`), and aliases let one
 * request repeat `classify` hundreds of times; so depth counts nested fields and cost counts every
 * field, each face costing FACE_COST more and classifyBatch multiplying its sub-selection by its item
 * count (read from the literal list or the variable). Breaches answer `QUERY_TOO_DEEP`,
 * `BATCH_TOO_LARGE` or `QUERY_TOO_COSTLY` with HTTP 400, before any image is decoded.
 */
import type {
  FragmentDefinitionNode,
  GraphQLError as GraphQLErrorType,
  SelectionSetNode,
  ValueNode,
} from 'graphql';
import { GraphQLError, Kind } from './graphql-runtime.js';
import type { ApolloServerPlugin } from '@apollo/server';
import type { ServeErrorCode } from './errors.js';

/** Extra cost of running one face through the models. */
export const FACE_COST = 10;

type Fragments = Map<string, FragmentDefinitionNode>;

export function queryDepth(
  set: SelectionSetNode,
  fragments: Fragments,
  seen: ReadonlySet<string> = new Set(),
): number {
  let depth = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      depth = Math.max(depth, 1 + (sel.selectionSet ? queryDepth(sel.selectionSet, fragments, seen) : 0));
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      depth = Math.max(depth, queryDepth(sel.selectionSet, fragments, seen));
    } else {
      const fragment = fragments.get(sel.name.value);
      if (fragment && !seen.has(sel.name.value)) {
        depth = Math.max(
          depth,
          queryDepth(fragment.selectionSet, fragments, new Set([...seen, sel.name.value])),
        );
      }
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

/** Estimated cost of a selection set; `batches` collects each classifyBatch's item count. */
export function queryCost(
  set: SelectionSetNode,
  fragments: Fragments,
  variables: Record<string, unknown>,
  multiplier = 1,
  seen: ReadonlySet<string> = new Set(),
  batches: number[] = [],
): number {
  let cost = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      let inner = multiplier;
      if (sel.name.value === 'classify') cost += multiplier * FACE_COST;
      if (sel.name.value === 'classifyBatch') {
        const items = listLength(sel.arguments?.find((a) => a.name.value === 'inputs')?.value, variables);
        batches.push(items);
        inner = multiplier * items;
        cost += inner * FACE_COST;
      }
      cost +=
        multiplier +
        (sel.selectionSet ? queryCost(sel.selectionSet, fragments, variables, inner, seen, batches) : 0);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      cost += queryCost(sel.selectionSet, fragments, variables, multiplier, seen, batches);
    } else {
      const fragment = fragments.get(sel.name.value);
      if (fragment && !seen.has(sel.name.value)) {
        const inside = new Set([...seen, sel.name.value]);
        cost += queryCost(fragment.selectionSet, fragments, variables, multiplier, inside, batches);
      }
    }
  }
  return cost;
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
          const batches: number[] = [];
          const cost = queryCost(
            operation.selectionSet,
            fragments,
            request.variables ?? {},
            1,
            new Set(),
            batches,
          );
          const largest = Math.max(0, ...batches);
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
