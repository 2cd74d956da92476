/** HTML escaping for text and attribute values: every value a user typed goes through it. */
export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** The page frame: plain HTML and a little CSS, so the sample needs no view engine. */
export function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · nestjs-polar sample</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; color: #1b1b1f; }
  h1 { font-size: 1.5rem; }
  .note { background: #fff7d6; border: 1px solid #e8d48a; padding: .75rem 1rem; border-radius: .5rem; }
  .error { background: #fde8e8; border: 1px solid #e6a3a3; padding: .75rem 1rem; border-radius: .5rem; }
  label { display: block; margin: 1rem 0 .25rem; }
  input { font: inherit; padding: .4rem .5rem; width: 100%; box-sizing: border-box; }
  .button, button { display: inline-block; font: inherit; margin-top: 1rem; padding: .5rem 1rem; border-radius: .4rem;
    border: 1px solid #0062ff; background: #0062ff; color: #fff; text-decoration: none; cursor: pointer; }
  .secondary { background: #fff; color: #0062ff; }
  footer { margin-top: 3rem; font-size: .85rem; color: #666; }
</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** What the sign-in form shows again after a rejected attempt. */
export interface SignInFormState {
  email?: string;
  name?: string;
  error?: string;
  notice?: string;
}

/** The demo sign-in page. */
export function signInPage(state: SignInFormState = {}): string {
  return layout(
    'Sign in',
    `<h1>Sign in</h1>
<p class="note"><strong>Demo sign-in.</strong> There are no passwords: enter any email and name. The sample keeps
you signed in with an HMAC-signed cookie, and creates (or finds) your Polar customer on the way.</p>
${state.notice ? `<p class="note" role="status">${escapeHtml(state.notice)}</p>` : ''}
${state.error ? `<p class="error" role="alert">${escapeHtml(state.error)}</p>` : ''}
<form method="post" action="/sign-in">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" required autocomplete="email" value="${escapeHtml(state.email ?? '')}">
  <label for="name">Name (optional)</label>
  <input id="name" name="name" type="text" autocomplete="name" maxlength="256" value="${escapeHtml(state.name ?? '')}">
  <button type="submit">Sign in</button>
</form>`,
  );
}

/** The home page of a signed-in user. */
export function homePage(
  user: { email: string; name?: string; id: string },
  billingBackend: string,
  pro: boolean,
  upgrade = false,
): string {
  const report = pro
    ? '<p class="note" data-testid="pro-report" data-locked="false">Pro report: unlocked. Thank you for subscribing!</p>'
    : '<p class="note" data-testid="pro-report" data-locked="true">Pro report: locked. <a href="/pricing">See pricing</a></p>';
  return layout(
    'Home',
    `<h1>Welcome${user.name ? `, ${escapeHtml(user.name)}` : ''}</h1>
${upgrade ? '<p data-testid="upgrade">Pro reports need an active subscription.</p>' : ''}
<p>You are signed in as <strong data-testid="user-email">${escapeHtml(user.email)}</strong>.
Your Polar customer has the external id <code>${escapeHtml(user.id)}</code>.</p>
${report}
<p><a class="button" href="/billing/portal">Manage billing</a> <a class="button secondary" href="/pricing">Pricing</a> <a href="/pro">Pro reports</a></p>
<form method="post" action="/sign-out"><button class="secondary" type="submit">Sign out</button></form>
<footer>Billing backend: ${escapeHtml(billingBackend)}</footer>`,
  );
}

/** One plan on the pricing page. */
export interface PricedPlan {
  /** The plan's name in the module's `plans` option: what the checkout route is asked for. */
  name: string;
  title: string;
  price: string;
  pitch: string;
}

/** The pricing page: each plan posts to the module's checkout route (`POST /billing/checkout/:plan`). */
export function pricingPage(plans: PricedPlan[]): string {
  const rows = plans.map(
    (plan) => `<section data-plan="${escapeHtml(plan.name)}">
<h2>${escapeHtml(plan.title)}</h2>
<p class="price">${escapeHtml(plan.price)}</p>
<p>${escapeHtml(plan.pitch)}</p>
<form method="post" action="/billing/checkout/${encodeURIComponent(plan.name)}"><button type="submit">Subscribe</button></form>
</section>`,
  );
  return layout(
    'Pricing',
    `<h1>Pricing</h1>
${rows.length > 0 ? rows.join('\n') : '<p class="note">No plan is configured (set POLAR_PRODUCT_PRO).</p>'}
<p><a href="/">Back home</a></p>`,
  );
}

/** The subscribers-only page (sample/pro). */
export function proPage(user: { email: string }): string {
  return layout(
    'Pro reports',
    `<h1>Pro reports</h1>
<p data-testid="pro">Thanks for subscribing, ${escapeHtml(user.email)}.</p>
<p><a href="/">Home</a></p>`,
  );
}
