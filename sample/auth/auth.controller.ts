import { Body, Controller, Get, Header, HttpCode, HttpException, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CustomersService } from 'nestjs-polar';
import { signInPage } from '../views.js';
import { SESSION_COOKIE, SESSION_MAX_AGE_SECONDS, SessionCookie, userIdForEmail } from './session-cookie.js';

/** The form fields of the sign-in page (urlencoded, parsed by Nest's default body parser). */
interface SignInForm {
  email?: unknown;
  name?: unknown;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The demo sign-in: an email (and a name) is enough; no password, no account store. */
@Controller()
export class AuthController {
  constructor(
    private readonly customers: CustomersService,
    private readonly sessions: SessionCookie,
  ) {}

  @Get('sign-in')
  @Header('Content-Type', 'text/html; charset=utf-8')
  showSignIn(@Query('reason') reason?: string): string {
    return signInPage(reason === 'signed-out' ? { notice: 'Please sign in to manage billing.' } : {});
  }

  /**
   * Signs the user in and makes sure a Polar customer exists for them before anything else needs
   * one: `ensure` is one request when the customer exists and is safe when two sign-ins race.
   */
  @Post('sign-in')
  @HttpCode(303)
  async signIn(@Body() form: SignInForm, @Res({ passthrough: true }) res: Response): Promise<string | void> {
    const email = typeof form.email === 'string' ? form.email.trim() : '';
    const name = typeof form.name === 'string' ? form.name.trim() : '';
    if (!EMAIL.test(email) || email.length > 254) {
      return this.rejected(res, 400, { email, name, error: 'Enter a valid email address, like ada@mailinator.com.' });
    }
    if (name.length > 256) {
      return this.rejected(res, 400, { email, name, error: 'The name can be at most 256 characters long.' });
    }
    const user = { id: userIdForEmail(email), email, ...(name ? { name } : {}) };
    try {
      await this.customers.ensure({
        external_id: user.id,
        email: user.email,
        ...(user.name ? { name: user.name } : {}),
      });
    } catch (error) {
      // nestjs-polar turns every Polar failure into an HttpException with a message fit to show.
      if (!(error instanceof HttpException)) throw error;
      return this.rejected(res, error.getStatus(), {
        email,
        name,
        error: `Your billing account could not be set up (${error.getStatus()}): ${error.message}`,
      });
    }
    res.cookie(SESSION_COOKIE, this.sessions.sign(user), {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      maxAge: SESSION_MAX_AGE_SECONDS * 1000,
      // Behind HTTPS add `secure: true`; the sample runs on plain http://127.0.0.1.
    });
    res.location('/');
  }

  @Post('sign-out')
  @HttpCode(303)
  signOut(@Res({ passthrough: true }) res: Response): void {
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.location('/sign-in');
  }

  private rejected(res: Response, status: number, state: Parameters<typeof signInPage>[0]): string {
    res.status(status).type('html');
    return signInPage(state);
  }
}
