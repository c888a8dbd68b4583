export { CurrentPrincipal, IS_PUBLIC_KEY, Public, Scopes, SCOPES_KEY } from './decorators';
export type { Principal } from './principal';
export { isScope, type Scope, SCOPES } from './scopes';
