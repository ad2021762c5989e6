import type { ErrorCode } from '@pd/shared';

/**
 * A rule of the product said no. `code` is the stable API error code; the HTTP layer maps it to a status.
 * The domain never speaks HTTP.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
