import { HttpStatus, ParseUUIDPipe } from '@nestjs/common';

/** A malformed path id is a malformed request (400), an unknown one a 404. */
export const uuidParam = (): ParseUUIDPipe => new ParseUUIDPipe({ errorHttpStatusCode: HttpStatus.BAD_REQUEST });
