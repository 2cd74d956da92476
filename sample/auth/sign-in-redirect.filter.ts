import { type ArgumentsHost, Catch, type ExceptionFilter, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';

/**
 * A browser that hits a guarded route without a session (the portal and checkout routes answer 401) is sent to
 * the sign-in page; API clients asking for JSON keep the plain 401.
 */
@Catch(UnauthorizedException)
export class SignInRedirectFilter implements ExceptionFilter {
  catch(exception: UnauthorizedException, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    // A link (GET) or a form (the pricing page's Subscribe, a POST) a browser followed.
    if ((req.method === 'GET' || req.method === 'POST') && req.accepts(['json', 'html']) === 'html') {
      res.redirect(303, '/sign-in?reason=signed-out');
      return;
    }
    res.status(exception.getStatus()).json(exception.getResponse());
  }
}
