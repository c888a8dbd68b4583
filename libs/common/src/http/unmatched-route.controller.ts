import { All, Controller, Module, Query, RequestMethod, VERSION_NEUTRAL } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/decorators';
import { ApiProblemException } from '../problem/api-problem.exception';

/**
 * Excludes the fallback route from the global prefix, so that it answers outside `/api` too
 * (`/wp-admin`). Escaped: Nest matches exclusions against each route's declared path as a
 * path-to-regexp pattern, and an unescaped `{*path}` would match, and unprefix, every route.
 */
export const UNMATCHED_ROUTE_PREFIX_EXCLUSION = { path: '/\\{\\*path\\}', method: RequestMethod.ALL };

const NO_ROUTE = { status: 404, detail: 'No route matches this method and path.' };

/**
 * Answers every request no other route matched with the same 404 problem as an unknown
 * resource. Being a route (registered last), unknown paths pass the same global guards as
 * known ones: a 404 flood is counted and throttled like any other traffic (docs/security.md).
 */
@ApiExcludeController()
@Public()
@Controller({ version: VERSION_NEUTRAL })
export class UnmatchedRouteController {
  // The query is declared (and left unvalidated) only so the strict-query check stays quiet:
  // an unknown route is a 404 whatever its query string.
  @All('{*path}')
  unmatched(@Query() _query: object): never {
    throw new ApiProblemException(NO_ROUTE);
  }
}

/**
 * Routes are matched in registration order, and Nest registers them module by module in the
 * order of its module container, which is not the import order (modules imported by imported
 * modules, such as the Prometheus controller's, come after every directly imported one). A
 * catch-all registered before them would hide them, so this module moves itself to the end of
 * the container when it is instantiated, before `app.init()` registers the routes.
 */
@Module({ controllers: [UnmatchedRouteController] })
export class UnmatchedRouteModule {
  constructor(modules: ModulesContainer) {
    for (const [token, moduleRef] of modules) {
      if (moduleRef.metatype !== UnmatchedRouteModule) continue;
      modules.delete(token);
      modules.set(token, moduleRef);
      break;
    }
  }
}
