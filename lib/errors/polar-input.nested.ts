import { type ClassConstructor, Type } from 'class-transformer';

/** Per DTO prototype: the class each nested-object property is validated as. */
const NESTED_TYPES = new WeakMap<object, Map<string, () => ClassConstructor<object>>>();

/**
 * Marks a property whose value is a nested DTO: `validatePolarInput` builds it as that class
 * (from its own validated copy of the input), and class-transformer's `@Type` is applied too, so
 * the exported DTOs keep working in an app's own `ValidationPipe({ transform: true })`.
 */
export function NestedPolarInput(type: () => ClassConstructor<object>): PropertyDecorator {
  const transformerType = Type(type);
  return (target, propertyKey) => {
    transformerType(target, propertyKey);
    let types = NESTED_TYPES.get(target);
    if (!types) NESTED_TYPES.set(target, (types = new Map()));
    types.set(String(propertyKey), type);
  };
}

/** The nested DTO class of `dtoClass`'s property `key` (inherited declarations included), if any. */
export function nestedPolarInputType(
  dtoClass: ClassConstructor<object>,
  key: string,
): ClassConstructor<object> | undefined {
  for (let proto: object | null = dtoClass.prototype as object; proto; proto = Object.getPrototypeOf(proto)) {
    const type = NESTED_TYPES.get(proto)?.get(key);
    if (type) return type();
  }
  return undefined;
}
