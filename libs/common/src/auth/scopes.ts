/** The scopes of docs/auth.md; `admin` implies every other scope. */
export const SCOPES = ['transparency:read', 'transparency:write', 'audit:read', 'metrics:read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** True when `granted` covers every scope in `required` (`admin` covers all of them). */
export function hasScopes(granted: readonly string[], required: readonly Scope[]): boolean {
  if (granted.includes('admin')) return true;
  return required.every((scope) => granted.includes(scope));
}

/** `"a b c"` (the JWT `scope` claim) into known scopes; unknown names are dropped. */
export function parseScopeClaim(claim: string): Scope[] {
  return [...new Set(claim.split(' ').filter(isScope))];
}
