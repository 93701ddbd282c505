/**
 * The contracts package's typed errors. Every error this package throws is a ContractsError with
 * a stable string `code`; callers (the api) convert codes to their own errors only at their edge.
 */
export type ContractsErrorCode =
  | "INVALID_AMOUNT" // not a valid NEURO amount (bad decimal string, too many decimals, negative where not allowed)
  | "INVALID_FEE_BPS"; // a fee rate outside 0..10000 basis points, or not an integer

export class ContractsError extends Error {
  override readonly name = "ContractsError";
  constructor(
    readonly code: ContractsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isContractsError(err: unknown): err is ContractsError {
  return err instanceof ContractsError;
}
