import { escapeHtml, sendText, type RequestContext } from './emulator.http.js';
import type { EmulatorStore } from './emulator.store.js';
import type { Route } from './emulator.router.js';

/** What the portal page shows of a customer's subscriptions, and its one action (from the billing store). */
export interface PortalSubscriptions {
  /** The customer's subscriptions that are not canceled, oldest first. */
  of(customerId: string): Array<{ id: string; product: string; status: string; cancel_at_period_end: boolean }>;
  /** Cancels the customer's subscription at period end, as `PATCH /v1/subscriptions/{id}` does; false when not theirs. */
  cancelAtPeriodEnd(customerId: string, subscriptionId: string): boolean;
}

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
export function portalRoutes(store: EmulatorStore, slug: string, subscriptions?: PortalSubscriptions): Route[] {
  const path = `/${encodeURIComponent(slug)}/portal`;
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
        for (const sub of subscriptions?.of(customer.id) ?? []) {
          const state = sub.cancel_at_period_end ? 'canceled at period end' : sub.status;
          const cancel = sub.cancel_at_period_end
            ? ''
            : ` <form method="post" action="${path}/subscriptions/${escapeHtml(sub.id)}/cancel"><input type="hidden" name="customer_session_token" value="${escapeHtml(token)}"><button type="submit">Cancel subscription</button></form>`;
          parts.push(
            `<section class="subscription" data-subscription="${escapeHtml(sub.id)}"><p>${escapeHtml(sub.product)}: <span class="status">${escapeHtml(state)}</span></p>${cancel}</section>`,
          );
        }
        if (session.returnUrl) {
          parts.push(
            `<p><a class="return" href="${escapeHtml(session.returnUrl)}">Return to ${escapeHtml(new URL(session.returnUrl).host)}</a></p>`,
          );
        }
        sendText(ctx, 200, page('Customer portal', parts.join('\n')), 'text/html; charset=utf-8');
      },
    },
    {
      // The portal's "Cancel subscription" button: cancel at period end, then back to the portal page.
      method: 'POST',
      pattern: `${path}/subscriptions/:id/cancel`,
      scopes: null,
      handle: (ctx) => {
        const token = new URLSearchParams(typeof ctx.body === 'string' ? ctx.body : '').get('customer_session_token');
        const session = token ? store.findSession(token) : undefined;
        if (!token || !session) return sendError(ctx, 401, 'This link has expired or is invalid. Ask for a new one.');
        if (!subscriptions?.cancelAtPeriodEnd(session.customerId, ctx.params.id!)) {
          return sendError(ctx, 404, 'Subscription not found.');
        }
        ctx.record.status = 303;
        ctx.res.writeHead(303, {
          location: `${path}?customer_session_token=${encodeURIComponent(token)}`,
          'cache-control': 'private, no-store',
          'content-length': '0',
        });
        ctx.res.end();
      },
    },
  ];
}
