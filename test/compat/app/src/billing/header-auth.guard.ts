import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';

/** Stands in for the app's auth: `x-user-id` becomes `request.user`. */
@Injectable()
export class HeaderAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; user?: { id: string } }>();
    const id = request.headers['x-user-id'];
    if (!id) throw new UnauthorizedException();
    request.user = { id };
    return true;
  }
}
