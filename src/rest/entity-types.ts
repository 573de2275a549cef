import type { Request, Response } from 'express';
import type { EntityModel } from '../model/index.js';
import type { Client, Verb } from './auth.js';
import { requireScope } from './auth.js';
import type { RouteContext } from './context.js';
import { HttpProblem } from './problem.js';

/**
 * The entity type named in the path, checked before anything else: an unknown type is 404, a
 * client without the scope is 403 before the store is asked, so a client that may not read a
 * type gets the same answer for existing and missing keys.
 */
export function entityType(ctx: RouteContext, req: Request, res: Response, verb: Verb): { entity: EntityModel; client: Client } {
  const name = String(req.params.type);
  const entity = ctx.model.entities.get(name);
  if (entity === undefined) throw new HttpProblem('not-found', `no entity type "${name}" (types: ${[...ctx.model.entities.keys()].join(', ')})`);
  return { entity, client: requireScope(res, verb, name) };
}

export const notFound = (type: string, key: string) => new HttpProblem('not-found', `${type} ${JSON.stringify(key)} does not exist`);

/** A route's handler for methods it does not serve: 405 with Allow. */
export function methodNotAllowed(allow: string) {
  return (req: Request): never => {
    throw new HttpProblem('method-not-allowed', `${req.method} is not allowed here; allowed: ${allow}`, { headers: { Allow: allow } });
  };
}
