import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../core/log.js';
import type { BridgeMetrics } from '../runtime/metrics.js';
import { HttpProblem, sendProblem } from './problem.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

interface RequestLocals {
  reqId: string;
  baseLog: Logger;
  log?: Logger;
}

/** The request's logger: a child with `reqId`, made on first use (most requests log one line or none). */
export function requestLog(res: Response): Logger {
  const locals = res.locals as RequestLocals;
  return (locals.log ??= locals.baseLog.child({ reqId: locals.reqId }));
}

/**
 * Gives each request an id (a well-formed `X-Request-Id` is kept, else a UUID), echoes it, makes
 * `requestLog(res)` a child logger with `reqId` (so every line about the request carries it), and
 * on finish logs one line (when info is enabled) and records the route's metrics. Headers are never logged: the
 * Authorization and X-API-Key values stay out of the logs by construction.
 */
export function requestContext(log: Logger, metrics: BridgeMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const given = req.headers['x-request-id'];
    const reqId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', reqId);
    res.locals.baseLog = log;
    res.locals.reqId = reqId;
    // The read fast path runs this after its store read, and says when the request began.
    const start = (res.locals.startedAt as number | undefined) ?? performance.now();
    // 'finish': answered; 'close' without it: the client went away first (a change stream ending).
    const done = () => {
      const ms = performance.now() - start;
      const base = (res.locals.routeBase as string | undefined) ?? req.baseUrl;
      const route = req.route ? `${base}${String(req.route.path)}` : 'unmatched';
      const labels = { method: req.method, route, status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, ms / 1000);
      const level = res.statusCode >= 500 ? 'error' : 'info';
      if (!log.isLevelEnabled(level)) return;
      const client = (res.locals.client as { name?: string } | undefined)?.name;
      const line = { method: req.method, url: req.originalUrl, status: res.statusCode, ms: Math.round(ms * 10) / 10, client };
      if (!res.writableFinished) requestLog(res).info({ ...line, closedByClient: true }, 'request');
      else requestLog(res)[level](line, 'request');
    };
    res.once('close', done);
    next();
  };
}

/**
 * First layer of a sub-router: remembers its mount path for the route label, since express has
 * restored `req.baseUrl` by the time an error answered outside the router finishes the request.
 */
export function rememberRouteBase(req: Request, res: Response, next: NextFunction): void {
  res.locals.routeBase = req.baseUrl;
  next();
}

/**
 * Answers 503 when a request takes longer than `ms` (a slow store, a stuck handler); the
 * handler's late answer is dropped. The change stream is long-lived and is not subject to it.
 */
export function requestTimeout(ms: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.path === '/v1/changes/stream') return next();
    const timer = setTimeout(() => {
      if (!res.headersSent) sendProblem(res, new HttpProblem('unavailable', `the request took longer than ${ms} ms`), req.originalUrl);
    }, ms);
    // 'close' follows 'finish' on every response, and comes alone when the client goes away.
    res.once('close', () => clearTimeout(timer));
    next();
  };
}
