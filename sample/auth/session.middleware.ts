import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { readCookie, SESSION_COOKIE, SessionCookie } from './session-cookie.js';
import type { SampleRequest } from './session-user.js';

/** Puts the signed-in user (from the session cookie) on `request.user`, for every route. */
@Injectable()
export class SessionMiddleware implements NestMiddleware {
  constructor(private readonly sessions: SessionCookie) {}

  use(req: SampleRequest, _res: Response, next: NextFunction): void {
    const user = this.sessions.verify(readCookie(req.headers.cookie, SESSION_COOKIE));
    if (user) req.user = user;
    next();
  }
}
