/**
 * Builds the executable GraphQL schema from the type-graphql classes. Every @Field and @Arg names its
 * type explicitly because tsx/esbuild emit no decorator metadata; `reflect-metadata` is still loaded
 * since type-graphql reads (and tolerates the absence of) that metadata.
 */
import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { ClassifyFacesResolver } from './classify-faces.resolver.js';
import { ClassifyResolver } from './classify.resolver.js';
import { ModelsResolver } from './models.resolver.js';

export function buildServeSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [ClassifyResolver, ClassifyFacesResolver, ModelsResolver],
    validate: false,
  });
}
