/** SPEC §3. `admin` implies every other scope. */
export const SCOPES = ['transparency:read', 'transparency:write', 'audit:read', 'metrics:read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}
