/**
 * Errors shaped exactly like Dropbox's.
 * - RouteError -> 409 {"error_summary":"member_error/not_a_member/..","error":{".tag":"member_error","member_error":{".tag":"not_a_member"}}}
 * - BadRequest -> 400 plain text `Error in call to API function "<route>": <message>`
 * - AuthError  -> 401 {"error_summary":"expired_access_token/","error":{".tag":"expired_access_token"}}
 */
export type Tagged = { '.tag': string; [k: string]: unknown };

/** Build a nested tagged union from a chain: tagChain('member_error','not_a_member') */
export function tagChain(...tags: string[]): Tagged {
  const [first, ...rest] = tags;
  if (!rest.length) return { '.tag': first };
  return { '.tag': first, [first]: tagChain(...rest) };
}

/**
 * A tagged error from a tag path ('member_error/no_explicit_access') or a whole object, with an optional value for
 * the innermost tag: an object's fields are merged into it (a struct value), anything else is set as `tag: value`.
 */
export function taggedError(error: string | Tagged, value?: unknown): Tagged {
  const root: Tagged = typeof error === 'string' ? tagChain(...error.split('/').filter(Boolean)) : structuredClone(error);
  if (value === undefined) return root;
  let inner = root;
  while (inner[inner['.tag']] && typeof inner[inner['.tag']] === 'object' && '.tag' in (inner[inner['.tag']] as object))
    inner = inner[inner['.tag']] as Tagged;
  if (value && typeof value === 'object' && !Array.isArray(value)) Object.assign(inner, value);
  else inner[inner['.tag']] = value;
  return root;
}

export function summaryOf(err: Tagged): string {
  const parts: string[] = [];
  let cur: unknown = err;
  while (cur && typeof cur === 'object' && '.tag' in (cur as Tagged)) {
    const tag = (cur as Tagged)['.tag'];
    parts.push(tag);
    cur = (cur as Tagged)[tag];
  }
  return parts.join('/') + '/';
}

export class RouteError extends Error {
  constructor(
    public readonly error: Tagged,
    public readonly userMessage?: string,
  ) {
    super(summaryOf(error));
  }
  static of(...tags: string[]) {
    return new RouteError(tagChain(...tags));
  }
  body(): Record<string, unknown> {
    const b: Record<string, unknown> = { error_summary: summaryOf(this.error) + '..', error: this.error };
    if (this.userMessage) b.user_message = { locale: 'en', text: this.userMessage };
    return b;
  }
}

export class BadRequest extends Error {}

export class AuthError extends Error {
  constructor(
    public readonly tag: 'expired_access_token' | 'invalid_access_token' | 'missing_scope',
    public readonly requiredScope?: string,
  ) {
    super(tag);
  }
  body() {
    const error: Tagged = { '.tag': this.tag };
    if (this.tag === 'missing_scope') error.required_scope = this.requiredScope;
    return { error_summary: summaryOf(error), error };
  }
}
