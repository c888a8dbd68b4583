import { Type } from 'class-transformer';
import { IsInt, IsString, Max, Min, ValidateNested } from 'class-validator';
import { createValidationPipe, flattenValidationErrors } from './validation.pipe';
import { ApiProblemException } from '../problem/api-problem.exception';
import { validateSync } from 'class-validator';
import { plainToInstance } from 'class-transformer';

class Leg {
  @IsInt() @Min(1) quantity!: number;
}
class Page {
  @IsInt() @Min(1) @Max(10) @Type(() => Number) limit!: number;
}
class Named {
  @IsString() name!: string;
}
class Order {
  @IsString() symbol!: string;
  @ValidateNested({ each: true }) @Type(() => Leg) legs!: Leg[];
}

describe('validation', () => {
  it('flattens nested errors into field paths with bracketed indexes', () => {
    const order = plainToInstance(Order, { symbol: 3, legs: [{ quantity: 1 }, { quantity: 0 }] });
    expect(flattenValidationErrors(validateSync(order))).toEqual([
      { field: 'symbol', message: 'must be a string' },
      { field: 'legs[1].quantity', message: 'must not be less than 1' },
    ]);
  });

  it('answers with a 422 problem listing each field, unknown fields included', async () => {
    const pipe = createValidationPipe();
    const failure = await pipe
      .transform({ symbol: 'BTC', legs: [], extra: 1 }, { type: 'body', metatype: Order })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiProblemException);
    const problem = (failure as ApiProblemException).problem;
    expect(problem.status).toBe(422);
    expect(problem.errors).toEqual([{ field: 'extra', message: 'property extra should not exist' }]);
  });

  it('does not coerce a JSON number into a string field', async () => {
    const pipe = createValidationPipe();
    await expect(pipe.transform({ symbol: 42, legs: [] }, { type: 'body', metatype: Order })).rejects.toBeInstanceOf(
      ApiProblemException,
    );
  });

  it('passes through a query object that one of its pipes validated as the same class, and validates anything else', async () => {
    const asQuery = (metatype: new () => object) => ({ type: 'query' as const, metatype, data: undefined });
    const validated = (await createValidationPipe().transform({ limit: '5' }, asQuery(Page))) as Page;
    expect(validated).toBeInstanceOf(Page);
    expect(validated.limit).toBe(5);
    // The handler's pipe (another instance) hands the same object on without a second validation.
    expect(await createValidationPipe().transform(validated, asQuery(Page))).toBe(validated);
    // An object the pipe did not produce is validated like any client input.
    await expect(createValidationPipe().transform({ limit: '50' }, asQuery(Page))).rejects.toBeInstanceOf(
      ApiProblemException,
    );
    // Validated as one class is no pass for another, nor for a body.
    await expect(createValidationPipe().transform(validated, asQuery(Named))).rejects.toBeInstanceOf(
      ApiProblemException,
    );
    await expect(
      createValidationPipe().transform(validated, { type: 'body', metatype: Named, data: undefined }),
    ).rejects.toBeInstanceOf(ApiProblemException);
  });
});
