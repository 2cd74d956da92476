// BCP 47 (RFC 5646) language tags: language, extlang, script, region, variants, extensions, private use.
const BCP47_RE =
  /^([a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})(?:-([a-z]{4}))?(?:-([a-z]{2}|\d{3}))?((?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*)((?:-[a-wyz\d](?:-[a-z\d]{2,8})+)*)((?:-x(?:-[a-z\d]{1,8})+)?)$/i;

/**
 * Polar's `Locale` (langcodes): a valid BCP 47 tag with a real language subtag (not `und`, not private use), in its
 * standard casing (`en-US`, `zh-Hant-TW`); undefined where Polar answers 422 "Invalid IETF BCP 47 language tag".
 * Polar's langcodes also maps deprecated subtags, which this does not.
 */
export function polarLocale(text: string): string | undefined {
  const match = BCP47_RE.exec(text);
  if (!match || match[1].toLowerCase() === 'und' || match[1].length > 3) return undefined;
  const [, language, script, region, variants, extensions, privateUse] = match;
  return [
    language.toLowerCase(),
    script ? script[0].toUpperCase() + script.slice(1).toLowerCase() : '',
    region ? region.toUpperCase() : '',
  ]
    .filter(Boolean)
    .join('-')
    .concat((variants + extensions + privateUse).toLowerCase());
}
