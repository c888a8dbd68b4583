import { type ArgumentMetadata, type Type, ValidationPipe, type ValidationError } from '@nestjs/common';
import { ApiProblemException } from '../problem/api-problem.exception';
import { type FieldError, PROBLEM_TYPES } from '../problem/problem-details';

/** `items[3].price` style paths, so a client can find the offending field in a batch. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const result: FieldError[] = [];
  for (const error of errors) {
    const field = /^\d+$/.test(error.property)
      ? `${parent}[${error.property}]`
      : parent
        ? `${parent}.${error.property}`
        : error.property;
    for (const message of Object.values(error.constraints ?? {})) {
      result.push({
        field,
        message: message.startsWith(`${error.property} `) ? message.slice(error.property.length + 1) : message,
      });
    }
    if (error.children?.length) result.push(...flattenValidationErrors(error.children, field));
  }
  return result;
}

const PROTOTYPE_KEYS = ['__proto__', 'constructor'] as const;

/**
 * Removes `__proto__` and `constructor` keys at every depth, as Nest's ValidationPipe does for
 * the bodies it validates. Bodies validated by hand (ingest batches) need the same: a nested
 * `constructor` key makes class-transformer throw (a 500) and `__proto__` is a pollution vector.
 * Iterative, so the walk itself cannot overflow the stack.
 */
export function stripPrototypeKeys(value: unknown): void {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const current = pending.pop();
    if (current === null || typeof current !== 'object') continue;
    if (!Array.isArray(current)) {
      const record = current as Record<string, unknown>;
      for (const key of PROTOTYPE_KEYS) if (Object.hasOwn(record, key)) Reflect.deleteProperty(record, key);
    }
    for (const child of Object.values(current)) {
      if (child !== null && typeof child === 'object') pending.push(child);
    }
  }
}

export function validationProblem(errors: FieldError[]): ApiProblemException {
  return new ApiProblemException({
    status: 422,
    type: PROBLEM_TYPES.validation,
    title: 'Validation failed',
    detail:
      errors
        .map((e) => `${e.field}: ${e.message}`)
        .join('; ')
        .slice(0, 1000) || 'The request is invalid.',
    errors,
  });
}

/**
 * Query objects that a validation pipe of this process produced, with the class they were
 * validated as. A cached read validates its query before the cache lookup (to build the key);
 * on a miss the handler receives that same object, and its pipe then has nothing left to check.
 * Only a pipe's own output is ever in here: a client cannot hand in an object, only strings.
 */
const validatedQueries = new WeakMap<object, Type>();

class ApiValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const { metatype } = metadata;
    if (metadata.type !== 'query' || !metatype) return super.transform(value, metadata);
    if (isObject(value) && validatedQueries.get(value) === metatype) return value;
    const result: unknown = await super.transform(value, metadata);
    if (isObject(result)) validatedQueries.set(result, metatype);
    return result;
  }
}

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

/**
 * The global pipe: strips nothing silently (unknown fields are 422), converts
 * query strings to the declared types, and answers 422 with `errors: [{ field, message }]`.
 */
export function createValidationPipe(): ValidationPipe {
  return new ApiValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    // No implicit conversion: it would turn a JSON number into the string a DTO expects.
    // Query DTOs convert explicitly (`@Type(() => Number)`), since every query value is a string.
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationProblem(flattenValidationErrors(errors)),
  });
}
