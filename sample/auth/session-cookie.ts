import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SessionUser } from './session-user.js';

/** Name of the cookie that carries the signed session. */
export const SESSION_COOKIE = 'sample_session';

/** How long a sign-in lasts, in seconds. */
export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;

interface SessionPayload extends SessionUser {
  /** Issued at, seconds since the epoch: lets old cookies expire even if a browser keeps them. */
  iat: number;
}

/**
 * A stateless session: the user, base64url JSON, plus an HMAC-SHA256 of it. Nothing is stored on
 * the server, and a cookie edited in the browser fails the signature check.
 * Demo only: a real app would use its own auth (Passport, an identity provider, express-session…).
 */
export class SessionCookie {
  private readonly secret: Buffer;

  /** Without `SESSION_SECRET` a random key is made, so restarting the sample signs everyone out. */
  constructor(
    secret: string | undefined = process.env.SESSION_SECRET,
    private readonly now: () => number = Date.now,
  ) {
    this.secret = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  /** The cookie value for a user. */
  sign(user: SessionUser): string {
    const payload: SessionPayload = { ...user, iat: Math.floor(this.now() / 1000) };
    const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The user of a cookie value, or null when it is missing, forged, malformed or expired. */
  verify(value: string | undefined): SessionUser | null {
    if (!value) return null;
    const dot = value.indexOf('.');
    if (dot <= 0) return null;
    const body = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.mac(body), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    let payload: Partial<SessionPayload>;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<SessionPayload>;
    } catch {
      return null;
    }
    if (typeof payload.id !== 'string' || typeof payload.email !== 'string' || typeof payload.iat !== 'number') {
      return null;
    }
    if (this.now() / 1000 - payload.iat > SESSION_MAX_AGE_SECONDS) return null;
    return { id: payload.id, email: payload.email, ...(payload.name ? { name: payload.name } : {}) };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}

/**
 * The demo's user id for an email. Derived, not random, so signing in again with the same email
 * finds the same Polar customer (`CustomersService.ensure` looks it up by this external id).
 */
export function userIdForEmail(email: string): string {
  return `user_${createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 24)}`;
}

/** The value of one cookie in a `Cookie` header (no cookie-parser needed for one cookie). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
