import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiNotModifiedResponse,
  ApiPayloadTooLargeResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';

/** The cache contract of every cached read (docs/api-guide.md, "Caching"), documented once. */
export const ApiCachedRead = (): MethodDecorator =>
  applyDecorators(
    ApiHeader({
      name: 'If-None-Match',
      required: false,
      description: 'An ETag from an earlier answer: 304 if unchanged.',
    }),
    ApiNotModifiedResponse({ description: 'The representation matching If-None-Match is still current.' }),
    ApiUnprocessableEntityResponse({
      description: 'A query parameter is out of range, unknown or malformed (problem+json).',
    }),
  );

export const ApiById = (what: string): MethodDecorator =>
  applyDecorators(
    ApiBadRequestResponse({ description: 'The id is not a UUID (problem+json).' }),
    ApiNotFoundResponse({ description: `No ${what} with this id (problem+json).` }),
  );

export const ApiIngest = (): MethodDecorator =>
  applyDecorators(
    ApiUnprocessableEntityResponse({
      description:
        'Not an array of 1-1000 valid items; `errors[].field` names the item, e.g. `[3].price` (problem+json).',
    }),
    ApiPayloadTooLargeResponse({ description: 'The body exceeds INGEST_BODY_LIMIT (problem+json).' }),
  );
