import { types } from 'node:util';
import { CreateCustomerDto } from '../customers/dto/create-customer.dto.js';
import { ListCustomersDto } from '../customers/dto/list-customers.dto.js';
import { PolarInputException } from './polar.exceptions.js';
import { validatePolarInput } from './polar-input.validation.js';

async function problemsOf(dto: new () => object, input: unknown): Promise<{ field: string; rule: string }[]> {
  const error = await validatePolarInput(dto as never, input).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(PolarInputException);
  expect((error as PolarInputException).getStatus()).toBe(400);
  return (error as PolarInputException).problems.map(({ field, rule }) => ({ field, rule }));
}

describe('validatePolarInput against hostile input', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])(
    'refuses an unknown key named %s (as JSON.parse makes it), naming it',
    async (key) => {
      const input: unknown = JSON.parse(`{"email":"a@b.co",${JSON.stringify(key)}:{"x":1}}`);
      expect(await problemsOf(CreateCustomerDto, input)).toContainEqual({ field: key, rule: 'whitelistValidation' });
    },
  );

  it('refuses an unknown key nested in a DTO property (billing_address.__proto__)', async () => {
    const input: unknown = JSON.parse('{"email":"a@b.co","billing_address":{"country":"FR","__proto__":{"a":1}}}');
    expect(await problemsOf(CreateCustomerDto, input)).toContainEqual({
      field: 'billing_address.__proto__',
      rule: 'whitelistValidation',
    });
  });

  it('sees metadata hidden behind __proto__: an object value and a 51st key', async () => {
    const hidden: unknown = JSON.parse('{"email":"a@b.co","metadata":{"__proto__":{"deep":{"x":1}}}}');
    expect(await problemsOf(CreateCustomerDto, hidden)).toContainEqual({ field: 'metadata', rule: 'isPolarMetadata' });
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    const input: unknown = JSON.parse(
      JSON.stringify({ email: 'a@b.co', metadata: fifty }).replace('}}', ',"__proto__":"v"}}'),
    );
    expect(await problemsOf(CreateCustomerDto, input)).toContainEqual({ field: 'metadata', rule: 'isPolarMetadata' });
  });

  it('accepts metadata keys named like Object.prototype members, and sends them as own keys', async () => {
    const body = (await validatePolarInput(CreateCustomerDto, {
      email: 'a@b.co',
      metadata: { constructor: 'c', toString: 't', hasOwnProperty: 'h' },
    })) as CreateCustomerDto;
    expect(JSON.parse(JSON.stringify(body.metadata))).toEqual({ constructor: 'c', toString: 't', hasOwnProperty: 'h' });
  });

  it('refuses a getter, and never calls toJSON or a prototype getter', async () => {
    let reads = 0;
    const withGetter = {
      email: 'a@b.co',
      get name() {
        return ++reads === 1 ? 'Ann' : { evil: true };
      },
    };
    expect(await problemsOf(CreateCustomerDto, withGetter)).toContainEqual({ field: 'name', rule: 'isDataProperty' });

    class Sneaky {
      email = 'a@b.co';
      toJSON() {
        return { email: 'a@b.co', role: 'admin' };
      }
      get name() {
        return 'x'.repeat(1000);
      }
    }
    const body = await validatePolarInput(CreateCustomerDto, new Sneaky());
    expect(JSON.stringify(body)).toBe('{"email":"a@b.co"}');
  });

  it('reads a Proxy once and sends a plain copy that cannot change afterwards', async () => {
    let reads = 0;
    const target = { email: 'a@b.co', name: 'Ann' };
    const proxy = new Proxy(target, {
      get: (object, key) => (key === 'name' && ++reads > 1 ? 'x'.repeat(1000) : Reflect.get(object, key)),
      getOwnPropertyDescriptor: (object, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(object, key);
        return key === 'name' && descriptor
          ? { ...descriptor, value: reads++ > 1 ? 'x'.repeat(1000) : 'Ann' }
          : descriptor;
      },
    });
    const body = await validatePolarInput(CreateCustomerDto, proxy);
    expect(types.isProxy(body)).toBe(false);
    expect(JSON.stringify(body)).toBe('{"email":"a@b.co","name":"Ann"}');
    expect(JSON.stringify(body)).toBe('{"email":"a@b.co","name":"Ann"}');
  });

  it('answers 400, never a throw, for a Proxy whose trap throws, a revoked Proxy, a cycle and a function', async () => {
    const throwing = new Proxy(
      { email: 'a@b.co' },
      {
        ownKeys: () => {
          throw new Error('trap');
        },
      },
    );
    expect(await problemsOf(CreateCustomerDto, throwing)).toContainEqual({ field: 'input', rule: 'isReadable' });
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    expect(await problemsOf(CreateCustomerDto, revocable.proxy)).toContainEqual({ field: 'input', rule: 'isObject' });
    const cyclic: Record<string, unknown> = { email: 'a@b.co' };
    cyclic.billing_address = cyclic;
    expect((await problemsOf(CreateCustomerDto, cyclic)).some((problem) => problem.rule === 'maxDepth')).toBe(true);
    expect(await problemsOf(CreateCustomerDto, { email: 'a@b.co', name: () => 'x' })).toContainEqual({
      field: 'name',
      rule: 'isJsonValue',
    });
  });

  it('refuses a lone surrogate in a value or a key, naming the field', async () => {
    expect(await problemsOf(CreateCustomerDto, { email: 'a@b.co', name: 'a\uD800b' })).toContainEqual({
      field: 'name',
      rule: 'isWellFormedUnicode',
    });
    expect(await problemsOf(CreateCustomerDto, { email: 'a@b.co', metadata: { '\uDC00': 'v' } })).toContainEqual({
      field: 'metadata.\uDC00',
      rule: 'isWellFormedUnicode',
    });
    // A surrogate pair (an emoji) is well-formed.
    await expect(validatePolarInput(CreateCustomerDto, { email: 'a@b.co', name: 'Ann 😀' })).resolves.toBeDefined();
  });

  it.each([
    ['an object', { plan: { a: 1 } }],
    ['an array with an object', { plan: ['pro', { a: 1 }] }],
    ['an empty array', { plan: [] }],
    ['null', { plan: null }],
  ])('refuses a list() metadata filter value that is %s', async (_label, metadata) => {
    expect(await problemsOf(ListCustomersDto, { metadata })).toContainEqual({
      field: 'metadata',
      rule: 'isPolarMetadataFilter',
    });
  });

  it('accepts scalar and array metadata filters', async () => {
    const metadata = { plan: 'pro', seats: 3, trial: false, tier: ['a', 'b'] };
    await expect(validatePolarInput(ListCustomersDto, { metadata })).resolves.toStrictEqual({ metadata });
  });
});
