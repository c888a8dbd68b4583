import { ValidationPipe, type ValidationError } from '@nestjs/common';
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
 * The global pipe: strips nothing silently (unknown fields are 422), converts
 * query strings to the declared types, and answers 422 with `errors: [{ field, message }]`.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
