import { Injectable, type PipeTransform } from '@nestjs/common';
import { validationProblem } from '@app/common';
import { SYMBOL_MESSAGE, SYMBOL_PATTERN } from './validation';

/** A symbol path parameter, upper-cased, or a 422 naming it. */
@Injectable()
export class ParseSymbolPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    const symbol = value.toUpperCase();
    if (!SYMBOL_PATTERN.test(symbol)) throw validationProblem([{ field: 'symbol', message: SYMBOL_MESSAGE }]);
    return symbol;
  }
}
