/**
 * `pnpm --filter @facekit/serve schema`: prints the GraphQL schema (SDL) the server exposes, so the
 * README and clients can be checked against the code rather than against memory.
 */
import { printSchema } from 'graphql';
import { buildServeSchema } from './schema/build-schema.js';

process.stdout.write(printSchema(await buildServeSchema()) + '\n');
