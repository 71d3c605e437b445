/**
 * The `Upload` scalar: a photo sent as a file part of a multipart request (multipart-request.ts puts
 * each file in its variable as an `UploadedFile`), the GraphQL multipart request spec's name for it, so
 * that clients' upload links work unchanged. It is input only and cannot be written in a query's text:
 * anything but a file part is refused, saying how to send one.
 */
import { UploadedFile } from '../multipart-request.js';
import { GraphQLError, GraphQLScalarType } from '../graphql-runtime.js';

const HOW =
  'Upload is a file part of a multipart/form-data request (the GraphQL multipart request spec: fields operations, map, then the file); send base64 text in image instead';

export const UploadScalar = new GraphQLScalarType<UploadedFile, never>({
  name: 'Upload',
  description:
    'A photo file (PNG, JPEG or WebP) sent as a part of a multipart/form-data request, as the GraphQL multipart request spec describes (`curl -F`, upload links of Apollo Client, urql or gql).',
  serialize: () => {
    throw new GraphQLError('Upload is an input only');
  },
  parseValue: (value) => {
    if (value instanceof UploadedFile) return value;
    throw new GraphQLError(HOW);
  },
  parseLiteral: (node) => {
    throw new GraphQLError(HOW, { nodes: node });
  },
});
