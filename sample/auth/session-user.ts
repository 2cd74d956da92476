import type { Request } from 'express';

/** The signed-in user of the sample app, as the session cookie carries it. */
export interface SessionUser {
  /** The app's own user id; it becomes the Polar customer's `external_id`. */
  id: string;
  email: string;
  name?: string;
}

/**
 * An Express request after SessionMiddleware ran. `user` is where Passport and most NestJS auth
 * guards put the user too, which is why nestjs-polar's portal route finds it there by default.
 */
export type SampleRequest = Request & { user?: SessionUser };
