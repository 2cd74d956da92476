import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';

const specPath = process.env.POLAR_OPENAPI_SPEC ?? path.resolve(process.cwd(), '../shared/polar/openapi-2026-10.json');
const spec = JSON.parse(readFileSync(specPath, 'utf8')) as { components: { schemas: Record<string, unknown> } };

// OpenAPI 3.1 schemas are JSON Schema: draft-07 keywords cover what Polar's spec uses for these shapes
// (`discriminator` is OpenAPI-only and ignored; `oneOf` still picks exactly one branch).
const ajv = new Ajv({
  allErrors: true,
  unknownFormats: 'ignore',
  nullable: true,
  schemaId: 'auto',
  logger: false,
} as never);
ajv.addFormat('uuid4', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i);
ajv.addSchema({ $id: 'polar', components: spec.components } as never);

/** The spec's validation errors of `value` against `#/components/schemas/<name>` (empty when it conforms). */
export function specErrors(name: string, value: unknown): string[] {
  if (!spec.components.schemas[name]) throw new Error(`no schema ${name} in the spec`);
  const validate = ajv.getSchema(`polar#/components/schemas/${name}`)!;
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => `${error.dataPath} ${error.message} ${JSON.stringify(error.params)}`);
}

/** The webhook payload schema for an event type, e.g. `order.paid` → `WebhookOrderPaidPayload`. */
export function webhookSchemaName(type: string): string {
  const words = type.split(/[._]/).map((word) => word[0].toUpperCase() + word.slice(1));
  return `Webhook${words.join('')}Payload`;
}
