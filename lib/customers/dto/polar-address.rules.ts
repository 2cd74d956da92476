// Polar's `Address.validate_state` (server/polar/kit/address.py): a US or CA state is stored with its country
// prefix (`US-CA`, `CA-QC`) and must be one of these; other countries keep any state text.
const US_STATES = new Set(
  'AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC'.split(
    ' ',
  ),
);
const CA_SUBDIVISIONS = new Set('AB BC MB NB NL NS NT NU ON PE QC SK YT'.split(' '));

/** The state as Polar stores it: `US-`/`CA-` prefixed for those two countries, as given otherwise. */
export function polarState(country: string, state: string): string {
  if (country !== 'US' && country !== 'CA') return state;
  return state.startsWith(`${country}-`) ? state : `${country}-${state}`;
}

/** Polar's error text for a state it refuses ("Invalid US state", "Invalid CA subdivision"), or undefined. */
export function polarStateError(country: string, state: string): string | undefined {
  const code = polarState(country, state).slice(3);
  if (country === 'US' && !US_STATES.has(code)) return 'Invalid US state';
  if (country === 'CA' && !CA_SUBDIVISIONS.has(code)) return 'Invalid CA subdivision';
  return undefined;
}
