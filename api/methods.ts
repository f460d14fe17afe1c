import { type Express, type RequestHandler } from 'express';
import { Problem } from './problems';

/** What this module reads of Express's router (`router` 2.x): layers that match a path, routes that list methods. */
interface RouterLayer {
  match(path: string): boolean;
  path?: string;
  route?: { methods: Record<string, boolean> };
  handle?: { stack?: RouterLayer[] };
}

/** The methods the routes registered for `path` declare, found by walking the app's router and its mounted routers. */
export function methodsOf(stack: readonly RouterLayer[], path: string): Set<string> {
  const methods = new Set<string>();
  for (const layer of stack) {
    if (!layer.match(path)) continue;
    if (layer.route) {
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (on && method !== '_all') methods.add(method.toUpperCase());
      }
    } else if (layer.handle?.stack) {
      // A mounted router sees the path without its mount point.
      const rest = path.slice((layer.path ?? '').length) || '/';
      for (const method of methodsOf(layer.handle.stack, rest.startsWith('/') ? rest : `/${rest}`)) methods.add(method);
    }
  }
  // Express answers HEAD with the GET handler.
  if (methods.has('GET')) methods.add('HEAD');
  return methods;
}

function routerStack(app: Express): RouterLayer[] {
  return (app as unknown as { router: { stack: RouterLayer[] } }).router.stack;
}

function allowHeader(allowed: Set<string>): string {
  return [...allowed, 'OPTIONS'].sort().join(', ');
}

/**
 * `OPTIONS` on a path some route serves asks what it allows (RFC 9110 §9.3.7): 204 with `Allow`.
 * Mounted before the routers, whose own automatic answer is a 200 with a text body.
 */
export function optionsAnswer(app: Express): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'OPTIONS') return next();
    const allowed = methodsOf(routerStack(app), req.path);
    if (allowed.size === 0) return next();
    res.setHeader('Allow', allowHeader(allowed));
    res.status(204).end();
  };
}

/**
 * The app's last route: a path some route serves, asked with a method none of them declares, is
 * `405 METHOD_NOT_ALLOWED` with `Allow` listing the methods the routes declare (derived from the
 * router itself, so it cannot drift from what is registered); any other path is `404 ROUTE_NOT_FOUND`.
 */
export function unmatchedRoute(app: Express): RequestHandler {
  return (req, res, next) => {
    const allowed = methodsOf(routerStack(app), req.path);
    if (allowed.size === 0 || allowed.has(req.method)) {
      return next(new Problem(404, 'ROUTE_NOT_FOUND', `no route ${req.method} ${req.path}`));
    }
    const allow = allowHeader(allowed);
    res.setHeader('Allow', allow);
    next(new Problem(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here; allowed: ${allow}`));
  };
}
