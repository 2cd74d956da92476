import { CreateCustomerDto } from '../customers/dto/create-customer.dto.js';
import { EnsureCustomerDto } from '../customers/dto/ensure-customer.dto.js';
import { ListCustomersDto } from '../customers/dto/list-customers.dto.js';
import { UpdateCustomerByExternalIdDto } from '../customers/dto/update-customer.dto.js';
import { CreateCustomerSessionDto } from '../sessions/dto/create-customer-session.dto.js';
import { PolarInputException } from './polar.exceptions.js';
import { validatePolarInput } from './polar-input.validation.js';

type Case = [string, new () => object, unknown, string, string];

const UUID = '0b4b1d0e-7f5a-4c4e-9d1e-2b7a3f1c9e10';
const manyKeys = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));

const invalid: Case[] = [
  ['not an object', CreateCustomerDto, 'x', 'input', 'isObject'],
  ['individual without email', CreateCustomerDto, { name: 'A' }, 'email', 'isEmail'],
  ['bad email', CreateCustomerDto, { email: 'not-an-email' }, 'email', 'isEmail'],
  ['name too long', CreateCustomerDto, { email: 'a@b.co', name: 'x'.repeat(257) }, 'name', 'maxLength'],
  ['too many metadata keys', CreateCustomerDto, { email: 'a@b.co', metadata: manyKeys }, 'metadata', 'isPolarMetadata'],
  [
    'metadata key too long',
    CreateCustomerDto,
    { email: 'a@b.co', metadata: { ['k'.repeat(41)]: 'v' } },
    'metadata',
    'isPolarMetadata',
  ],
  ['metadata empty string', CreateCustomerDto, { email: 'a@b.co', metadata: { a: '' } }, 'metadata', 'isPolarMetadata'],
  [
    'metadata long string',
    CreateCustomerDto,
    { email: 'a@b.co', metadata: { a: 'x'.repeat(501) } },
    'metadata',
    'isPolarMetadata',
  ],
  ['metadata null value', CreateCustomerDto, { email: 'a@b.co', metadata: { a: null } }, 'metadata', 'isPolarMetadata'],
  ['metadata nested', CreateCustomerDto, { email: 'a@b.co', metadata: { a: { b: 1 } } }, 'metadata', 'isPolarMetadata'],
  ['metadata NaN', CreateCustomerDto, { email: 'a@b.co', metadata: { a: Number.NaN } }, 'metadata', 'isPolarMetadata'],
  [
    'lower-case country',
    CreateCustomerDto,
    { email: 'a@b.co', billing_address: { country: 'us' } },
    'billing_address.country',
    'matches',
  ],
  [
    'unknown country',
    CreateCustomerDto,
    { email: 'a@b.co', billing_address: { country: 'XX' } },
    'billing_address.country',
    'isISO31661Alpha2',
  ],
  [
    'address without country',
    CreateCustomerDto,
    { email: 'a@b.co', billing_address: { city: 'Paris' } },
    'billing_address.country',
    'matches',
  ],
  ['tax_id without address', CreateCustomerDto, { email: 'a@b.co', tax_id: 'FR123' }, 'billing_address', 'isDefined'],
  ['team without owner or email', CreateCustomerDto, { type: 'team', name: 'Acme' }, 'owner', 'isDefined'],
  ['team owner without email', CreateCustomerDto, { type: 'team', owner: { name: 'O' } }, 'owner.email', 'isEmail'],
  ['unknown type', CreateCustomerDto, { email: 'a@b.co', type: 'company' }, 'type', 'isIn'],
  ['NUL in name', CreateCustomerDto, { email: 'a@b.co', name: 'a\u0000b' }, 'name', 'noNulCharacter'],
  [
    'NUL in metadata',
    CreateCustomerDto,
    { email: 'a@b.co', metadata: { k: 'v\u0000' } },
    'metadata.k',
    'noNulCharacter',
  ],
  ['unknown property', CreateCustomerDto, { email: 'a@b.co', emial: 'x' }, 'emial', 'whitelistValidation'],
  [
    'external id cannot change by external id',
    UpdateCustomerByExternalIdDto,
    { external_id: 'new' },
    'external_id',
    'whitelistValidation',
  ],
  ['ensure without external_id', EnsureCustomerDto, { email: 'a@b.co' }, 'external_id', 'isString'],
  ['ensure padded external_id', EnsureCustomerDto, { external_id: ' u1', email: 'a@b.co' }, 'external_id', 'matches'],
  ['ensure without email', EnsureCustomerDto, { external_id: 'u1' }, 'email', 'isEmail'],
  ['list limit over 100', ListCustomersDto, { limit: 101 }, 'limit', 'max'],
  ['list page 0', ListCustomersDto, { page: 0 }, 'page', 'min'],
  ['list bad sorting', ListCustomersDto, { sorting: ['created'] }, 'sorting', 'isIn'],
  ['session without customer', CreateCustomerSessionDto, {}, 'customer_id', 'exactlyOneCustomerId'],
  [
    'session with both ids',
    CreateCustomerSessionDto,
    { customer_id: UUID, external_customer_id: 'u1' },
    'customer_id',
    'exactlyOneCustomerId',
  ],
  [
    'session customer_id not uuid4',
    CreateCustomerSessionDto,
    { customer_id: '123' },
    'customer_id',
    'exactlyOneCustomerId',
  ],
  [
    'session member_id not uuid',
    CreateCustomerSessionDto,
    { external_customer_id: 'u1', member_id: 'm' },
    'member_id',
    'isUuid',
  ],
  [
    'return_url relative',
    CreateCustomerSessionDto,
    { external_customer_id: 'u1', return_url: '/account' },
    'return_url',
    'isReturnUrl',
  ],
  [
    'return_url javascript:',
    CreateCustomerSessionDto,
    { external_customer_id: 'u1', return_url: 'javascript:alert(1)' },
    'return_url',
    'isReturnUrl',
  ],
  [
    'return_url too long',
    CreateCustomerSessionDto,
    { external_customer_id: 'u1', return_url: `https://a.test/${'x'.repeat(2070)}` },
    'return_url',
    'isReturnUrl',
  ],
];

describe('validatePolarInput', () => {
  it.each(invalid)('%s → 400 naming %s', async (_name, dto, input, field, rule) => {
    const error = await validatePolarInput(dto as never, input).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PolarInputException);
    const exception = error as PolarInputException;
    expect(exception.getStatus()).toBe(400);
    expect(exception.problems).toContainEqual(expect.objectContaining({ field, rule }));
    expect(exception.message).toContain(field);
    expect(exception.message).toContain(rule);
  });

  it.each<[string, new () => object, object]>([
    [
      'individual',
      CreateCustomerDto,
      { email: 'a@b.co', external_id: 'u1', name: null, metadata: { a: 'x', b: 2, c: 1.5, d: true } },
    ],
    ['team with owner', CreateCustomerDto, { type: 'team', owner: { email: 'o@b.co' } }],
    [
      'tax id with address',
      CreateCustomerDto,
      { email: 'a@b.co', tax_id: 'FR40303265045', billing_address: { country: 'FR', city: 'Paris' } },
    ],
    [
      'session by external id',
      CreateCustomerSessionDto,
      { external_customer_id: 'u1', return_url: 'http://localhost:3000/x' },
    ],
    ['session by id', CreateCustomerSessionDto, { customer_id: UUID, member_id: UUID }],
    ['list', ListCustomersDto, { page: 2, limit: 100, sorting: '-email', metadata: { plan: 'pro' } }],
  ])('accepts a valid %s, returning an equal plain copy to send', async (_name, dto, input) => {
    const body = await validatePolarInput(dto as never, input);
    expect(body).toStrictEqual(input);
    expect(body).not.toBe(input);
  });
});
