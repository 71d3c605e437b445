/**
 * The graphql module instance that Apollo and type-graphql use. graphql 16 ships a CommonJS and an
 * ES module build; Node resolves the CommonJS one for those libraries, while a bundler-style resolver
 * (vitest's) may hand our own files the ES build — two copies of every class, and type-graphql's
 * `instanceof GraphQLScalarType` then rejects our scalar. Classes we construct for them come from here.
 */
import { createRequire } from 'node:module';
import type * as GraphQLModule from 'graphql';

const graphql = createRequire(import.meta.url)('graphql') as typeof GraphQLModule;

export const {
  GraphQLError,
  GraphQLScalarType,
  Kind,
  valueFromASTUntyped,
  isInputObjectType,
  isListType,
  isNonNullType,
  typeFromAST,
} = graphql;
