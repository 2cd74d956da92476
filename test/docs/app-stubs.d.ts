// The app's own code that README's examples call: only the shapes the examples use. These are
// the user's names (their services, modules, user type, decorators), never nestjs-polar's API.
// Third-party packages README mentions but this repo does not install are at the end.

interface User {
  id: string;
  email: string;
  name?: string;
  polarCustomerId: string;
}

declare class SecretsService {
  get(name: string): Promise<string>;
}
declare class SecretsModule {}

declare class TeamsService {
  currentTeamOf(userId: string): Promise<{ id: string }>;
}

declare class AccountsService {
  grantAccess(customerId: string, grant: { reference: string }): Promise<void>;
  scheduleDowngrade(customerId: string): Promise<void>;
}

/** The app's root module (main.ts examples). */
declare class AppModule {}

/** The app's "public route" marker. */
declare function Public(): ClassDecorator & MethodDecorator;

declare module '@nestjs/passport' {
  import type { CanActivate, Type } from '@nestjs/common';
  export function AuthGuard(type?: string | string[]): Type<CanActivate>;
}

declare module '@nestjs/throttler' {
  export function SkipThrottle(): ClassDecorator & MethodDecorator;
}
