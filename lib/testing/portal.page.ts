import { escapeHtml, sendText, type RequestContext } from './emulator.http.js';
import type { EmulatorStore } from './emulator.store.js';
import type { Route } from './emulator.router.js';

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function sendError(ctx: RequestContext, status: number, message: string): void {
  sendText(
    ctx,
    status,
    page('Customer portal', `<h1>Customer portal</h1>\n<p class="error">${escapeHtml(message)}</p>`),
    'text/html; charset=utf-8',
  );
}

/** The customer portal page the session's `customer_portal_url` points at. */
export function portalRoutes(store: EmulatorStore, slug: string): Route[] {
  return [
    {
      method: 'GET',
      pattern: `/${encodeURIComponent(slug)}/portal`,
      scopes: null,
      handle: (ctx) => {
        const token = ctx.query.get('customer_session_token');
        if (!token) return sendError(ctx, 401, 'Missing customer session token.');
        const session = store.findSession(token);
        if (!session) return sendError(ctx, 401, 'This link has expired or is invalid. Ask for a new one.');
        const customer = store.findById(session.customerId)!;
        const member = session.memberId
          ? store.membersOf(customer.id).find((m) => m.id === session.memberId)
          : undefined;
        const email = member?.email ?? customer.email ?? '';
        const parts = [
          `<h1>Customer portal — ${escapeHtml(slug)}</h1>`,
          `<p>Signed in as <span class="email">${escapeHtml(email)}</span></p>`,
        ];
        if (session.returnUrl) {
          parts.push(
            `<p><a class="return" href="${escapeHtml(session.returnUrl)}">Return to ${escapeHtml(new URL(session.returnUrl).host)}</a></p>`,
          );
        }
        sendText(ctx, 200, page('Customer portal', parts.join('\n')), 'text/html; charset=utf-8');
      },
    },
  ];
}
