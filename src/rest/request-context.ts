import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../core/log.js';
import type { BridgeMetrics } from '../runtime/metrics.js';
import { HttpProblem, sendProblem } from './problem.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's logger (a child with `reqId`), set by `requestContext`. */
export function requestLog(res: Response): Logger {
  return res.locals.log as Logger;
}

/**
 * Gives each request an id (a well-formed `X-Request-Id` is kept, else a UUID), echoes it, hangs a
 * child logger with `reqId` on `res.locals.log` (so every line about the request carries it), and
 * on finish logs one line and records the route's metrics. Headers are never logged: the
 * Authorization and X-API-Key values stay out of the logs by construction.
 */
export function requestContext(log: Logger, metrics: BridgeMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const given = req.headers['x-request-id'];
    const reqId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', reqId);
    const child = log.child({ reqId });
    res.locals.log = child;
    res.locals.reqId = reqId;
    const start = performance.now();
    // 'finish': answered; 'close' without it: the client went away first (a change stream ending).
    const done = () => {
      const ms = performance.now() - start;
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      const labels = { method: req.method, route, status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, ms / 1000);
      const client = (res.locals.client as { name?: string } | undefined)?.name;
      const line = { method: req.method, url: req.originalUrl, status: res.statusCode, ms: Math.round(ms * 10) / 10, client };
      if (!res.writableFinished) child.info({ ...line, closedByClient: true }, 'request');
      else child[res.statusCode >= 500 ? 'error' : 'info'](line, 'request');
    };
    res.once('close', done);
    next();
  };
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
    const clear = () => clearTimeout(timer);
    res.on('finish', clear);
    res.on('close', clear);
    next();
  };
}
