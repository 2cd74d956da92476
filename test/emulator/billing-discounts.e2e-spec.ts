import { randomUUID } from 'node:crypto';
import { api, detailOf, failureOf, manualClock, type EmulatorFixture } from './helpers.js';
import { specErrors } from './spec-schema.js';
import { billingSuite, typeOf, type BillingSuite } from './billing-suite.js';

/*
 * Discounts as Polar's server runs them (server/polar/discount, checkout/service.py, order/amounts.py,
 * subscription/service.py): the /v1/discounts/ API, a checkout's discount by id or code, the order's
 * discount_amount, and renewals that apply it per duration. Every call goes over HTTP through the official SDK.
 */

const DAY = 24 * 60 * 60 * 1000;
const SCHEMA_CHECK_MS = 30_000;

describe('emulator: discounts', () => {
  const time = manualClock('2026-10-01T12:00:00.000Z');
  const suite = billingSuite({ clock: time.clock }, 'discount.created');
  const { delivered, expectSpecPayloads } = suite;
  let f: EmulatorFixture;
  let receiver: BillingSuite['receiver'];
  beforeEach(() => ({ f, receiver } = suite));

  async function product(amount: number, recurring = true) {
    return f.sdk.products.create({
      name: recurring ? 'Pro monthly' : 'Lifetime',
      ...(recurring ? { recurring_interval: 'month' as const } : {}),
      prices: [{ amount_type: 'fixed', price_amount: amount }],
    });
  }

  /** A checkout for a new customer paid on the emulator's page; returns the checkout after payment. */
  async function buy(productId: string, extra: Record<string, unknown> = {}) {
    const checkout = await f.sdk.checkouts.create({
      products: [productId],
      customer_email: `${randomUUID().slice(0, 8)}@mailinator.com`,
      ...extra,
    });
    const paid = await fetch(`${checkout.url}/pay`, { method: 'POST', redirect: 'manual' });
    expect(paid.status).toBe(303);
    return f.sdk.checkouts.get(checkout.id);
  }

  const ordersOf = (subscriptionId: string | null) =>
    f.polar.billing.orders.filter((order) => order.subscription_id === subscriptionId);

  describe('the /v1/discounts/ API', () => {
    it(
      'creates fixed and percentage discounts, gets and lists them (query, sorting), with discount.created',
      async () => {
        const fixed = await f.sdk.discounts.create({
          type: 'fixed',
          name: 'Launch $5',
          duration: 'once',
          amount: 500,
          currency: 'usd',
          code: 'LAUNCH5',
          metadata: { campaign: 'launch' },
        });
        expect(fixed).toMatchObject({
          type: 'fixed',
          duration: 'once',
          amount: 500,
          currency: 'usd',
          amounts: { usd: 500 },
          code: 'LAUNCH5',
          redemptions_count: 0,
          max_redemptions: null,
          products: [],
          metadata: { campaign: 'launch' },
        });
        const pro = await product(1000);
        const percent = await f.sdk.discounts.create({
          type: 'percentage',
          name: 'Three months 20%',
          duration: 'repeating',
          duration_in_months: 3,
          basis_points: 2000,
          products: [pro.id],
        });
        expect(percent).toMatchObject({ basis_points: 2000, duration_in_months: 3, code: null });
        expect((percent as { products: { id: string }[] }).products.map((p) => p.id)).toEqual([pro.id]);
        expect(specErrors('DiscountPercentageRepeatDuration', percent)).toEqual([]);
        expect(specErrors('DiscountFixedOnceForeverDuration', fixed)).toEqual([]);

        expect((await f.sdk.discounts.get(fixed.id)).name).toBe('Launch $5');
        const all = await f.sdk.discounts.list({});
        expect(all.items.map((d) => d.id)).toEqual([percent.id, fixed.id]);
        expect(all.pagination).toEqual({ total_count: 2, max_page: 1 });
        expect((await f.sdk.discounts.list({ query: 'launch' })).items.map((d) => d.id)).toEqual([fixed.id]);
        expect((await f.sdk.discounts.list({ sorting: ['name'] })).items.map((d) => d.name)).toEqual([
          'Launch $5',
          'Three months 20%',
        ]);
        const { detail } = await detailOf(f.sdk.discounts.list({ sorting: ['amount' as never] }));
        expect(detail[0]).toMatchObject({ type: 'enum', loc: ['query', 'sorting', 0] });
        expect(await delivered()).toEqual(['discount.created', 'product.created', 'discount.created']);
        // A repeating discount matches both the spec's once/forever and repeat branches of Discount (they
        // differ only by `duration_in_months`): the spec's `oneOf` cannot hold for it, whatever a server answers.
        // So its payload is checked against its own branch.
        expect(specErrors('Discount', fixed)).toEqual([]);
        expect(specErrors('Discount', percent)).toContainEqual(
          expect.stringContaining('should match exactly one schema in oneOf'),
        );
        const payloads = receiver.received
          .filter((d) => typeOf(d) === 'discount.created')
          .map((d) => JSON.parse(d.body));
        expect(specErrors('DiscountFixedOnceForeverDuration', payloads[0].data)).toEqual([]);
        expect(specErrors('DiscountPercentageRepeatDuration', payloads[1].data)).toEqual([]);
      },
      SCHEMA_CHECK_MS,
    );

    it("refuses bad bodies with Polar's messages and locations", async () => {
      const repeating = await detailOf(
        f.sdk.discounts.create({ type: 'percentage', name: 'x', duration: 'repeating', basis_points: 100 }),
      );
      expect(repeating.detail).toEqual([
        expect.objectContaining({
          type: 'value_error',
          loc: ['body', 'percentage'],
          msg: 'Value error, `duration_in_months` is required when `duration` is `repeating`.',
        }),
      ]);
      const bad = await detailOf(
        f.sdk.discounts.create({
          type: 'percentage',
          name: 'x',
          duration: 'once',
          basis_points: 10001,
          code: 'no spaces!',
        }),
      );
      expect(bad.detail.map((d) => [d.loc, d.msg])).toEqual([
        [['body', 'percentage', 'code'], 'Value error, Code must contain only alphanumeric characters.'],
        [['body', 'percentage', 'basis_points'], 'Input should be less than or equal to 10000'],
      ]);
      const neither = await detailOf(f.sdk.discounts.create({ type: 'fixed', name: 'x', duration: 'once' } as never));
      expect(neither.detail[0].msg).toBe('Value error, Must specify either `amount` or `amounts`.');
      const untagged = await detailOf(f.sdk.discounts.create({ name: 'x', duration: 'once' } as never));
      expect(untagged.detail[0]).toMatchObject({ type: 'union_tag_not_found', loc: ['body'] });

      await f.sdk.discounts.create({
        type: 'percentage',
        name: 'a',
        duration: 'once',
        basis_points: 100,
        code: 'Spring',
      });
      const taken = await detailOf(
        f.sdk.discounts.create({ type: 'percentage', name: 'b', duration: 'once', basis_points: 100, code: 'SPRING' }),
      );
      expect(taken).toEqual({
        error: 'PolarRequestValidationError',
        detail: [
          {
            type: 'value_error',
            loc: ['body', 'code'],
            msg: 'Discount with this code already exists.',
            input: 'SPRING',
          },
        ],
      });
      const missing = randomUUID();
      const unknown = await detailOf(
        f.sdk.discounts.create({
          type: 'percentage',
          name: 'c',
          duration: 'once',
          basis_points: 100,
          products: [missing],
        }),
      );
      expect(unknown.detail).toEqual([
        { type: 'value_error', loc: ['body', 'products', 0], msg: 'Product not found.', input: missing },
      ]);
    });

    it('updates (type and duration fixed; redeemed amounts frozen) and deletes with discount.updated/deleted', async () => {
      const pro = await product(1000, false);
      const discount = await f.sdk.discounts.create({
        type: 'percentage',
        name: 'Ten',
        duration: 'once',
        basis_points: 1000,
      });
      const renamed = await f.sdk.discounts.update(discount.id, { name: 'Ten percent', basis_points: 1500 });
      expect(renamed).toMatchObject({ name: 'Ten percent', basis_points: 1500 });
      expect(renamed.modified_at).not.toBeNull();
      const typeChange = await detailOf(f.sdk.discounts.update(discount.id, { type: 'fixed' }));
      expect(typeChange.detail[0]).toMatchObject({ loc: ['body', 'type'], msg: 'Type cannot be changed.' });
      const durationChange = await detailOf(f.sdk.discounts.update(discount.id, { duration: 'forever' }));
      expect(durationChange.detail[0]).toMatchObject({ loc: ['body', 'duration'], msg: 'Duration cannot be changed.' });

      await buy(pro.id, { discount_id: discount.id });
      expect((await f.sdk.discounts.get(discount.id)).redemptions_count).toBe(1);
      const frozen = await detailOf(f.sdk.discounts.update(discount.id, { basis_points: 5000 }));
      expect(frozen.detail).toEqual([
        {
          type: 'value_error',
          loc: ['body', 'basis_points'],
          msg: 'This field cannot be changed because the discount has already been redeemed.',
          input: 1500,
        },
      ]);
      // Name and limits stay editable after a redemption.
      expect((await f.sdk.discounts.update(discount.id, { max_redemptions: 5 })).max_redemptions).toBe(5);

      await f.sdk.discounts.delete(discount.id);
      expect((await failureOf(f.sdk.discounts.get(discount.id))).status).toBe(404);
      expect((await f.sdk.discounts.list({})).items).toEqual([]);
      expect((await api(f.polar, `/v1/discounts/${discount.id}`, { method: 'DELETE' })).status).toBe(404);
      // The order keeps showing the discount it got.
      expect(f.polar.billing.orders[0]).toMatchObject({ discount_id: discount.id, discount: { id: discount.id } });
      expect((await delivered()).filter((type) => type.startsWith('discount.'))).toEqual([
        'discount.created',
        'discount.updated',
        'discount.updated',
        'discount.deleted',
      ]);
    });
  });

  describe('checkouts and orders', () => {
    it(
      "a percentage discount by id: Polar's rounding on the checkout, the order's discount_amount, one redemption",
      async () => {
        const lifetime = await product(1030, false);
        // 15% of 10.30 is 154.5 cents: polar_round takes .5 away from zero (155), not to even (154).
        const discount = await f.sdk.discounts.create({
          type: 'percentage',
          name: 'Fifteen',
          duration: 'once',
          basis_points: 1500,
        });
        const checkout = await f.sdk.checkouts.create({ products: [lifetime.id], discount_id: discount.id });
        expect(checkout).toMatchObject({
          amount: 1030,
          discount_amount: 155,
          net_amount: 875,
          total_amount: 875,
          discount_id: discount.id,
          is_discount_applicable: true,
          discount: { id: discount.id, type: 'percentage', basis_points: 1500, name: 'Fifteen', code: null },
        });
        expect(
          specErrors(
            'Checkout',
            JSON.parse(JSON.stringify(await (await api(f.polar, `/v1/checkouts/${checkout.id}`)).json())),
          ),
        ).toEqual([]);
        await f.sdk.checkouts.clientConfirm(checkout.client_secret, { customer_email: 'ana@mailinator.com' });
        const [order] = f.polar.billing.orders;
        expect(order).toMatchObject({
          subtotal_amount: 1030,
          discount_amount: 155,
          net_amount: 875,
          total_amount: 875,
          discount_id: discount.id,
          discount: { id: discount.id, basis_points: 1500 },
        });
        expect((await f.sdk.discounts.get(discount.id)).redemptions_count).toBe(1);
        await expectSpecPayloads();
      },
      SCHEMA_CHECK_MS,
    );

    it('a fixed discount larger than the price leaves nothing to pay', async () => {
      const lifetime = await product(300, false);
      const discount = await f.sdk.discounts.create({ type: 'fixed', name: 'Gift', duration: 'once', amount: 1000 });
      const checkout = await f.sdk.checkouts.create({ products: [lifetime.id], discount_id: discount.id });
      expect(checkout).toMatchObject({
        amount: 300,
        discount_amount: 300,
        net_amount: 0,
        total_amount: 0,
        is_payment_required: false,
      });
    });

    it('a code typed by the customer (case-insensitive) through clientUpdate; removed with null; refused when codes are off', async () => {
      const lifetime = await product(2000, false);
      const discount = await f.sdk.discounts.create({
        type: 'fixed',
        name: '$5 off',
        duration: 'once',
        amount: 500,
        code: 'Save5',
      });
      const checkout = await f.sdk.checkouts.create({ products: [lifetime.id] });
      const updated = await f.sdk.checkouts.clientUpdate(checkout.client_secret, { discount_code: 'SAVE5' });
      expect(updated).toMatchObject({ discount_id: discount.id, discount_amount: 500, total_amount: 1500 });
      expect(specErrors('CheckoutPublic', updated)).toEqual([]);
      const removed = await f.sdk.checkouts.clientUpdate(checkout.client_secret, { discount_code: null });
      expect(removed).toMatchObject({ discount_id: null, discount_amount: 0, total_amount: 2000, discount: null });
      const unknown = await detailOf(f.sdk.checkouts.clientUpdate(checkout.client_secret, { discount_code: 'NOPE' }));
      expect(unknown).toEqual({
        error: 'PolarRequestValidationError',
        detail: [{ type: 'value_error', loc: ['body', 'discount_code'], msg: 'Discount does not exist.', input: null }],
      });
      // The code on confirm applies too.
      await f.sdk.checkouts.clientConfirm(checkout.client_secret, {
        customer_email: 'b@mailinator.com',
        discount_code: 'save5',
      });
      expect(f.polar.billing.orders[0]).toMatchObject({ discount_amount: 500, net_amount: 1500 });

      const noCodes = await f.sdk.checkouts.create({ products: [lifetime.id], allow_discount_codes: false });
      const ignored = await f.sdk.checkouts.clientUpdate(noCodes.client_secret, { discount_code: 'SAVE5' });
      expect(ignored).toMatchObject({ allow_discount_codes: false, discount_id: null, total_amount: 2000 });
    });

    it('the checkout page takes a code', async () => {
      const lifetime = await product(2000, false);
      await f.sdk.discounts.create({
        type: 'percentage',
        name: 'Half',
        duration: 'once',
        basis_points: 5000,
        code: 'HALF',
      });
      const checkout = await f.sdk.checkouts.create({ products: [lifetime.id], customer_email: 'c@mailinator.com' });
      expect(await (await fetch(checkout.url)).text()).toContain('name="discount_code"');
      const paid = await fetch(`${checkout.url}/pay`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'discount_code=half',
      });
      expect(paid.status).toBe(303);
      expect(f.polar.billing.orders[0]).toMatchObject({
        subtotal_amount: 2000,
        discount_amount: 1000,
        total_amount: 1000,
      });
    });

    it('refuses what Polar refuses: other product, not started, free product, max_redemptions reached', async () => {
      const pro = await product(1000, false);
      const other = await product(1000, false);
      const free = await product(0, false);
      const only = await f.sdk.discounts.create({
        type: 'percentage',
        name: 'Pro only',
        duration: 'once',
        basis_points: 1000,
        products: [pro.id],
      });
      const notFound = await detailOf(f.sdk.checkouts.create({ products: [other.id], discount_id: only.id }));
      expect(notFound.detail).toEqual([
        { type: 'value_error', loc: ['body', 'discount_id'], msg: 'Discount does not exist.', input: only.id },
      ]);
      const later = await f.sdk.discounts.create({
        type: 'percentage',
        name: 'Later',
        duration: 'once',
        basis_points: 1000,
        starts_at: new Date(time.clock().getTime() + DAY).toISOString(),
      });
      expect(
        (await detailOf(f.sdk.checkouts.create({ products: [pro.id], discount_id: later.id }))).detail[0].msg,
      ).toBe('Discount does not exist.');
      const onFree = await detailOf(f.sdk.checkouts.create({ products: [free.id], discount_id: only.id }));
      expect(onFree.detail[0]).toMatchObject({
        loc: ['body', 'discount_id'],
        msg: 'Discounts are not applicable to this product.',
      });

      const single = await f.sdk.discounts.create({
        type: 'fixed',
        name: 'One',
        duration: 'once',
        amount: 100,
        max_redemptions: 1,
      });
      const first = await f.sdk.checkouts.create({ products: [pro.id], discount_id: single.id });
      const second = await f.sdk.checkouts.create({ products: [pro.id], discount_id: single.id });
      await f.sdk.checkouts.clientConfirm(first.client_secret, { customer_email: 'first@mailinator.com' });
      const late = await detailOf(
        f.sdk.checkouts.clientConfirm(second.client_secret, { customer_email: 'second@mailinator.com' }),
      );
      expect(late.detail).toEqual([
        {
          type: 'value_error',
          loc: ['body', 'discount_id'],
          msg: 'Discount is no longer redeemable.',
          input: single.id,
        },
      ]);
      expect(
        (await detailOf(f.sdk.checkouts.create({ products: [pro.id], discount_id: single.id }))).detail[0].msg,
      ).toBe('Discount does not exist.');
      expect((await f.sdk.discounts.get(single.id)).redemptions_count).toBe(1);
    });

    it('max_redemptions_per_customer: the same e-mail is refused 403 on clientUpdate and confirm, and nothing changes', async () => {
      const pro = await product(1000, false);
      const discount = await f.sdk.discounts.create({
        type: 'percentage',
        name: 'Once each',
        duration: 'once',
        basis_points: 1000,
        code: 'ONCEEACH',
        max_redemptions_per_customer: 1,
      });
      await buy(pro.id, { discount_id: discount.id, customer_email: 'repeat@mailinator.com' });
      const limit = {
        status: 403,
        body: {
          error: 'DiscountRedemptionLimitReached',
          detail: 'You have already redeemed this discount the maximum number of times allowed per customer.',
        },
      };
      const byCode = await f.sdk.checkouts.create({ products: [pro.id], customer_email: 'Repeat@mailinator.com' });
      expect(
        await failureOf(f.sdk.checkouts.clientUpdate(byCode.client_secret, { discount_code: 'onceeach' })),
      ).toEqual(limit);
      expect(await f.sdk.checkouts.get(byCode.id)).toMatchObject({ discount_id: null, total_amount: 1000 });

      const byId = await f.sdk.checkouts.create({ products: [pro.id], discount_id: discount.id });
      expect(
        await failureOf(f.sdk.checkouts.clientConfirm(byId.client_secret, { customer_email: 'repeat@mailinator.com' })),
      ).toEqual(limit);
      expect(await f.sdk.checkouts.get(byId.id)).toMatchObject({ status: 'open', customer_email: null });
      await f.sdk.checkouts.clientConfirm(byId.client_secret, { customer_email: 'someone.else@mailinator.com' });
      expect((await f.sdk.discounts.get(discount.id)).redemptions_count).toBe(2);
    });

    it('a declined payment frees the redemption', async () => {
      const pro = await product(1000, false);
      const single = await f.sdk.discounts.create({
        type: 'fixed',
        name: 'One',
        duration: 'once',
        amount: 100,
        max_redemptions: 1,
      });
      const checkout = await f.sdk.checkouts.create({
        products: [pro.id],
        discount_id: single.id,
        customer_email: 'd@mailinator.com',
      });
      expect((await fetch(`${checkout.url}/decline`, { method: 'POST', redirect: 'manual' })).status).toBe(303);
      expect((await f.sdk.discounts.get(single.id)).redemptions_count).toBe(0);
      await buy(pro.id, { discount_id: single.id });
      expect((await f.sdk.discounts.get(single.id)).redemptions_count).toBe(1);
    });
  });

  describe('subscriptions and renewals', () => {
    /** Buys the monthly product with the discount and renews `cycles` times; returns the orders' amounts. */
    async function renewals(discount: { id: string }, cycles: number) {
      const pro = await product(1000);
      const checkout = await buy(pro.id, { discount_id: discount.id });
      for (let i = 0; i < cycles; i++) f.polar.billing.advanceTime(31 * DAY);
      const subscription = await f.sdk.subscriptions.get(checkout.subscription_id!);
      return {
        subscription,
        amounts: ordersOf(checkout.subscription_id).map((o) => [o.billing_reason, o.discount_amount, o.net_amount]),
      };
    }

    it(
      'once: the first order only, then the subscription drops it',
      async () => {
        const discount = await f.sdk.discounts.create({
          type: 'percentage',
          name: 'Half once',
          duration: 'once',
          basis_points: 5000,
        });
        const { subscription, amounts } = await renewals(discount, 2);
        expect(amounts).toEqual([
          ['subscription_create', 500, 500],
          ['subscription_cycle', 0, 1000],
          ['subscription_cycle', 0, 1000],
        ]);
        expect(subscription.discount_id).toBeNull();
        expect(subscription.discount).toBeNull();
        await expectSpecPayloads();
      },
      SCHEMA_CHECK_MS,
    );

    it('forever: every cycle; the subscription keeps the discount', async () => {
      const discount = await f.sdk.discounts.create({
        type: 'fixed',
        name: '$2 forever',
        duration: 'forever',
        amount: 200,
      });
      const { subscription, amounts } = await renewals(discount, 3);
      expect(amounts.map(([, off, net]) => [off, net])).toEqual([
        [200, 800],
        [200, 800],
        [200, 800],
        [200, 800],
      ]);
      expect(subscription).toMatchObject({ discount_id: discount.id, discount: { id: discount.id, amount: 200 } });
      expect(specErrors('Subscription', JSON.parse(JSON.stringify(subscription)))).toEqual([]);
    });

    it('repeating 3 months: the first three monthly orders, then full price', async () => {
      const discount = await f.sdk.discounts.create({
        type: 'percentage',
        name: '3 months 25%',
        duration: 'repeating',
        duration_in_months: 3,
        basis_points: 2500,
      });
      const { subscription, amounts } = await renewals(discount, 4);
      expect(amounts.map(([, off]) => off)).toEqual([250, 250, 250, 0, 0]);
      expect(subscription.discount_id).toBeNull();
    });

    it('subscriptions.update discount_id: applies from the next cycle; the same one or an unknown one is refused', async () => {
      const pro = await product(1000);
      const checkout = await buy(pro.id);
      const discount = await f.sdk.discounts.create({
        type: 'percentage',
        name: 'Loyalty',
        duration: 'forever',
        basis_points: 1000,
      });
      const updated = await f.sdk.subscriptions.update(checkout.subscription_id!, { discount_id: discount.id });
      expect(updated).toMatchObject({ discount_id: discount.id, discount: { id: discount.id } });
      const again = await detailOf(f.sdk.subscriptions.update(checkout.subscription_id!, { discount_id: discount.id }));
      expect(again.detail).toEqual([
        {
          type: 'value_error',
          loc: ['body', 'discount_id'],
          msg: 'This discount is already applied to the subscription.',
          input: discount.id,
        },
      ]);
      const missing = randomUUID();
      const unknown = await detailOf(f.sdk.subscriptions.update(checkout.subscription_id!, { discount_id: missing }));
      expect(unknown.detail[0].msg).toBe(
        'Discount does not exist, is not applicable to this product or is not redeemable.',
      );
      f.polar.billing.advanceTime(31 * DAY);
      expect(ordersOf(checkout.subscription_id).map((o) => o.discount_amount)).toEqual([0, 100]);
      const cleared = await f.sdk.subscriptions.update(checkout.subscription_id!, { discount_id: null });
      expect(cleared.discount_id).toBeNull();
      f.polar.billing.advanceTime(31 * DAY);
      expect(ordersOf(checkout.subscription_id).map((o) => o.discount_amount)).toEqual([0, 100, 0]);
      expect(f.polar.billing.discounts.map((d) => d.redemptions_count)).toEqual([1]);
    });
  });
});
