import { sendJson, type RequestContext } from '../emulator.http.js';
import type { Route } from '../emulator.router.js';
import { bodyObject } from '../customers.routes.js';
import { Issues, checkMetadata, checkString, checkUuid4, type Loc } from '../emulator.validation.js';
import type { PolarEmulatorMetadata } from '../emulator.types.js';
import type { BillingStore, Resource, StoredActivation, StoredLicenseKey } from './billing.store.js';
import {
  BillingFailure,
  billingRoute,
  checkInt,
  lookup,
  nullable,
  parsePagination,
  required,
  sendPage,
  throwIfAny,
  uuidFilter,
} from './billing.http.js';

const KEYS_READ = ['license_keys:read', 'license_keys:write'];
const KEYS_WRITE = ['license_keys:write'];

/** Polar's ResourceNotFound (404) with the license key service's reason. */
class KeyNotFound extends BillingFailure {
  constructor(detail = 'Not found') {
    super(404, { error: 'ResourceNotFound', detail });
  }
}

/** Polar's NotPermitted (403) from `activate`. */
class KeyNotPermitted extends BillingFailure {
  constructor(detail: string) {
    super(403, { error: 'NotPermitted', detail });
  }
}

const requiredString = (body: Record<string, unknown>, field: string, issues: Issues): string | undefined =>
  required(body, field, ['body'], issues) ? checkString(body[field], ['body', field], issues) : undefined;
const requiredUuid = (body: Record<string, unknown>, field: string, issues: Issues): string | undefined =>
  required(body, field, ['body'], issues) ? checkUuid4(body[field], ['body', field], issues) : undefined;
const metadataField = (body: Record<string, unknown>, field: string, issues: Issues): PolarEmulatorMetadata =>
  body[field] === undefined ? {} : (checkMetadata(body[field], ['body', field], issues) ?? {});

/** The key the body names (`key` within `organization_id`), after the body validated; 404 when none matches. */
function keyOf(store: BillingStore, organizationId: string, key: string): StoredLicenseKey {
  const found = store.findLicenseKey(organizationId, key);
  if (!found) throw new KeyNotFound();
  return found;
}

export function activationView(activation: StoredActivation): Resource {
  const { conditions: _c, ...view } = activation;
  return structuredClone(view);
}

function activationOf(store: BillingStore, key: StoredLicenseKey, id: string): StoredActivation {
  const activation = store.activations.get(id);
  if (!activation || activation.license_key_id !== key.id) throw new KeyNotFound();
  return activation;
}

const conditionsMatch = (a: PolarEmulatorMetadata, b: PolarEmulatorMetadata): boolean =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/** Polar's `validate`: status, expiry, activation and its conditions, benefit, customer, usage limit. */
function validate(store: BillingStore, ctx: RequestContext): void {
  const body = bodyObject(ctx.body);
  const issues = new Issues();
  const key = requiredString(body, 'key', issues);
  const organizationId = requiredUuid(body, 'organization_id', issues);
  const uuidOrNull = (field: string) => nullable(body[field], ['body', field] as Loc, issues, checkUuid4);
  const activationId = uuidOrNull('activation_id');
  const benefitId = uuidOrNull('benefit_id');
  const customerId = uuidOrNull('customer_id');
  const increment = nullable(body.increment_usage, ['body', 'increment_usage'], issues, (v, l, i) =>
    checkInt(v, l, i, 0),
  );
  const conditions = metadataField(body, 'conditions', issues);
  throwIfAny(issues);
  const licenseKey = keyOf(store, organizationId!, key!);
  const now = store.clock();
  if (licenseKey.status !== 'granted') throw new KeyNotFound('License key is no longer active.');
  if (licenseKey.expires_at !== null && now.getTime() >= new Date(licenseKey.expires_at).getTime())
    throw new KeyNotFound('License key has expired.');
  let activation: StoredActivation | null = null;
  if (activationId !== null) {
    activation = activationOf(store, licenseKey, activationId);
    if (Object.keys(activation.conditions).length > 0 && !conditionsMatch(activation.conditions, conditions))
      throw new KeyNotFound('License key does not match required conditions');
  }
  if (benefitId !== null && benefitId !== licenseKey.benefit_id)
    throw new KeyNotFound('License key does not match given benefit.');
  if (customerId !== null && customerId !== licenseKey.customer_id)
    throw new KeyNotFound('License key does not match given user.');
  if (increment && licenseKey.limit_usage) {
    const remaining = licenseKey.limit_usage - licenseKey.usage;
    if (increment > remaining)
      throw new BillingFailure(400, { error: 'BadRequest', detail: `License key only has ${remaining} more usages.` });
  }
  licenseKey.validations += 1;
  licenseKey.last_validated_at = now.toISOString();
  if (increment) licenseKey.usage += increment;
  sendJson(ctx, 200, {
    ...store.licenseKeyView(licenseKey),
    activation: activation ? activationView(activation) : null,
  });
}

/** Polar's `activate`: only keys with an activation limit, up to that limit. */
function activate(store: BillingStore, ctx: RequestContext): void {
  const body = bodyObject(ctx.body);
  const issues = new Issues();
  const key = requiredString(body, 'key', issues);
  const organizationId = requiredUuid(body, 'organization_id', issues);
  const label = requiredString(body, 'label', issues);
  const conditions = metadataField(body, 'conditions', issues);
  const meta = metadataField(body, 'meta', issues);
  throwIfAny(issues);
  const licenseKey = keyOf(store, organizationId!, key!);
  if (licenseKey.status !== 'granted')
    throw new KeyNotPermitted('License key is no longer active. This license key can not be activated.');
  if (licenseKey.expires_at !== null && store.clock().getTime() >= new Date(licenseKey.expires_at).getTime())
    throw new KeyNotPermitted('License key has expired.');
  if (!licenseKey.limit_activations)
    throw new KeyNotPermitted(
      'This license key does not support activations. Use the /validate endpoint instead to check license validity.',
    );
  if (store.keyActivations(licenseKey).length >= licenseKey.limit_activations)
    throw new KeyNotPermitted('License key activation limit already reached');
  const activation: StoredActivation = {
    ...store.stamp(),
    license_key_id: licenseKey.id,
    label: label!,
    meta,
    conditions,
  };
  store.activations.set(activation.id, activation);
  sendJson(ctx, 200, { ...activationView(activation), license_key: store.licenseKeyView(licenseKey) });
}

function deactivate(store: BillingStore, ctx: RequestContext): void {
  const body = bodyObject(ctx.body);
  const issues = new Issues();
  const key = requiredString(body, 'key', issues);
  const organizationId = requiredUuid(body, 'organization_id', issues);
  const activationId = requiredUuid(body, 'activation_id', issues);
  throwIfAny(issues);
  const activation = activationOf(store, keyOf(store, organizationId!, key!), activationId!);
  store.activations.delete(activation.id);
  sendJson(ctx, 204);
}

/**
 * `/v1/license-keys/` (organization token) and the public `/v1/customer-portal/license-keys/{validate,activate,
 * deactivate}` an app calls from a customer's machine: the same rules, as Polar serves both from one service.
 */
export function licenseKeyRoutes(store: BillingStore): Route[] {
  const actions = [
    ['validate', validate],
    ['activate', activate],
    ['deactivate', deactivate],
  ] as const;
  const routes: Route[] = [
    {
      method: 'GET',
      pattern: '/v1/license-keys/',
      scopes: KEYS_READ,
      handle: (ctx) => {
        const issues = new Issues();
        const pagination = parsePagination(ctx.query, issues);
        const benefits = uuidFilter(ctx.query, 'benefit_id', issues);
        throwIfAny(issues);
        const items = [...store.licenseKeys.values()]
          .filter((key) => !benefits || benefits.includes(key.benefit_id))
          .map((key) => store.licenseKeyView(key));
        sendPage(ctx, items, pagination);
      },
    },
    ...actions.flatMap(([action, handle]) => [
      {
        method: 'POST',
        pattern: `/v1/license-keys/${action}`,
        scopes: KEYS_WRITE,
        handle: (ctx: RequestContext) => handle(store, ctx),
      },
      {
        method: 'POST',
        pattern: `/v1/customer-portal/license-keys/${action}`,
        scopes: null,
        handle: (ctx: RequestContext) => handle(store, ctx),
      },
    ]),
    {
      method: 'GET',
      pattern: '/v1/license-keys/:id',
      scopes: KEYS_READ,
      handle: (ctx) => {
        const key = lookup(store.licenseKeys, ctx);
        sendJson(ctx, 200, {
          ...store.licenseKeyView(key),
          activations: store.keyActivations(key).map(activationView),
        });
      },
    },
  ];
  return routes.map(billingRoute);
}
