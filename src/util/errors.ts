// Typed errors with a stable `code`, a message that says what to do, and the exit status the CLI
// uses for them (2 = usage, 1 = runtime).

export type ErrorCode =
  | 'E_USAGE'
  | 'E_BAD_OPTION'
  | 'E_ADDON_MISSING'
  | 'E_NO_SUCH_FILE'
  | 'E_FILE_PERMISSION'
  | 'E_NOT_PCAP'
  | 'E_TRUNCATED_PCAP'
  | 'E_PCAP_OPEN'
  | 'E_UNSUPPORTED_LINKTYPE'
  | 'E_BAD_FILTER'
  | 'E_NO_SUCH_INTERFACE'
  | 'E_CAPTURE_PERMISSION'
  | 'E_INTERFACE_DOWN'
  | 'E_CAPTURE_OPEN'
  | 'E_CAPTURE_ERROR'
  | 'E_OUTPUT'
  | 'E_WORKER'
  | 'E_INPUT';

const USAGE_CODES: ReadonlySet<string> = new Set(['E_USAGE', 'E_BAD_OPTION', 'E_BAD_FILTER']);

/** An error a user can act on: `code` is stable, `message` names the remedy. */
export class DeckscopeError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeckscopeError';
    this.code = code;
  }
  /** Process exit status for this error: 2 for usage errors, 1 otherwise. */
  get exitCode(): number {
    return USAGE_CODES.has(this.code) ? 2 : 1;
  }
}

/** Wraps an error thrown by the addon (which carries a `code`) as a DeckscopeError. */
export function fromAddonError(err: unknown): DeckscopeError {
  if (err instanceof DeckscopeError) return err;
  const e = err as { code?: string; message?: string };
  const code = (e?.code ?? 'E_CAPTURE_ERROR') as ErrorCode;
  return new DeckscopeError(code, e?.message ?? String(err), { cause: err });
}
