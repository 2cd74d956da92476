// Polar validates a tax ID with python-stdnum for the formats of the billing country (server/polar/tax/tax_id.py
// `validate_tax_id`) and stores `[compact value, format]`. The emulator checks the checksums of the formats most
// apps meet (EU VAT for DE, FR, NL, BE, AT, IT, ES-like lengths; GB VAT; US EIN) and the length and character set
// of every other EU VAT number; other countries' formats are only checked for letters and digits. A country Polar
// has no format for refuses every tax ID.

const digits = (value: string): number[] => [...value].map(Number);
const allDigits = (value: string): boolean => /^\d+$/.test(value);

/** ISO 7064 Mod 11,10 (German VAT). */
function mod11_10(value: string): boolean {
  let check = 5;
  for (const digit of digits(value)) check = ((((check || 10) * 2) % 11) + digit) % 10;
  return check === 1;
}

/** Luhn (French SIREN, Italian partita IVA). */
function luhn(value: string): boolean {
  let sum = 0;
  digits(value)
    .reverse()
    .forEach((digit, index) => {
      const doubled = index % 2 === 1 ? digit * 2 : digit;
      sum += doubled > 9 ? doubled - 9 : doubled;
    });
  return sum % 10 === 0;
}

/** `BigInt(text) % 97` for long digit strings. */
function mod97(value: string): number {
  return Number(BigInt(value) % 97n);
}

// stdnum's `validate` per EU VAT prefix, applied to the number after its two-letter prefix.
const EU_VAT: Record<string, (number: string) => boolean> = {
  AT: (n) => {
    if (!/^U\d{8}$/.test(n)) return false;
    const d = digits(n.slice(1));
    const sum = d.slice(0, 7).reduce((acc, digit, i) => {
      const value = i % 2 === 1 ? digit * 2 : digit;
      return acc + Math.floor(value / 10) + (value % 10);
    }, 0);
    return (96 - sum) % 10 === d[7];
  },
  BE: (n) => /^[01]\d{9}$/.test(n) && mod97(n.slice(0, 8)) === 97 - Number(n.slice(8)),
  BG: (n) => /^\d{9,10}$/.test(n),
  CY: (n) => /^\d{8}[A-Z]$/.test(n),
  CZ: (n) => /^\d{8,10}$/.test(n),
  DE: (n) => /^[1-9]\d{8}$/.test(n) && mod11_10(n),
  DK: (n) => /^[1-9]\d{7}$/.test(n),
  EE: (n) => /^10\d{7}$/.test(n),
  EL: (n) => /^\d{9}$/.test(n),
  ES: (n) => /^[0-9A-Z]\d{7}[0-9A-Z]$/.test(n),
  FI: (n) => /^\d{8}$/.test(n),
  FR: (n) => {
    if (!/^[0-9A-HJ-NP-Z]{2}\d{9}$/.test(n)) return false;
    const siren = n.slice(2);
    if (!luhn(siren)) return false;
    return !allDigits(n.slice(0, 2)) || Number(n.slice(0, 2)) === mod97(`${siren}12`);
  },
  HR: (n) => /^\d{11}$/.test(n),
  HU: (n) => /^\d{8}$/.test(n),
  IE: (n) => /^(\d{7}[A-W][A-IW]?|\d[A-Z+*]\d{5}[A-W])$/.test(n),
  IT: (n) => /^\d{11}$/.test(n) && !/^0{7}/.test(n) && luhn(n),
  LT: (n) => /^(\d{9}|\d{12})$/.test(n),
  LU: (n) => /^\d{8}$/.test(n) && Number(n.slice(0, 6)) % 89 === Number(n.slice(6)),
  LV: (n) => /^\d{11}$/.test(n),
  MT: (n) => /^[1-9]\d{7}$/.test(n),
  NL: (n) => {
    if (!/^\d{9}B\d{2}$/.test(n)) return false;
    const d = digits(n.slice(0, 9));
    const elevenProof = (d.slice(0, 8).reduce((acc, digit, i) => acc + (9 - i) * digit, 0) - d[8]) % 11 === 0;
    // Sole traders since 2020: ISO 7064 Mod 97,10 over "NL" + number, letters as 10–35.
    const numeric = `NL${n}`.replace(/[A-Z]/g, (letter) => String(letter.charCodeAt(0) - 55));
    return elevenProof || mod97(numeric) === 1;
  },
  PL: (n) => {
    if (!/^\d{10}$/.test(n)) return false;
    const weights = [6, 5, 7, 2, 3, 4, 5, 6, 7];
    const d = digits(n);
    return weights.reduce((acc, w, i) => acc + w * d[i], 0) % 11 === d[9];
  },
  PT: (n) => /^[1-9]\d{8}$/.test(n),
  RO: (n) => /^[1-9]\d{1,9}$/.test(n),
  SE: (n) => /^\d{10}01$/.test(n) && luhn(n.slice(0, 10)),
  SI: (n) => /^[1-9]\d{7}$/.test(n),
  SK: (n) => /^[1-9]\d{9}$/.test(n) && BigInt(n) % 11n === 0n,
};
const EU_COUNTRIES = new Set([...Object.keys(EU_VAT).filter((cc) => cc !== 'EL'), 'GR']);

/** GB VAT (stdnum gb.vat): 9 or 12 digits with the mod-97 check, or a government/health-authority number. */
function gbVat(n: string): boolean {
  if (n.length === 5) {
    const rest = Number(n.slice(2));
    return allDigits(n.slice(2)) && ((n.startsWith('GD') && rest < 500) || (n.startsWith('HA') && rest >= 500));
  }
  if ((n.length !== 9 && n.length !== 12) || !allDigits(n)) return false;
  const weights = [8, 7, 6, 5, 4, 3, 2, 10, 1];
  const check = digits(n.slice(0, 9)).reduce((acc, digit, i) => acc + weights[i] * digit, 0) % 97;
  return Number(n.slice(0, 3)) >= 100 ? [0, 42, 55].includes(check) : check === 0;
}

// US EIN prefixes the IRS assigns (stdnum us/ein.dat); others (00, 07–09, 17–19, 28, 29, 49, 69, 70, 78, 79, 89,
// 96, 97) are never issued.
const EIN_PREFIX = /^(0[1-6]|1[0-6]|2[0-7]|3\d|4[0-8]|5\d|6[0-8]|7[1-7]|8[0-8]|9[0-58-9])/;

// The other countries Polar has tax ID formats for (tax_id.py COUNTRY_TAX_ID_MAP) and the format it reports.
const OTHER_FORMATS: Record<string, string> = {
  AD: 'ad_nrt',
  AE: 'ae_trn',
  AR: 'ar_cuit',
  AU: 'au_abn',
  BH: 'bh_vat',
  BO: 'bo_tin',
  BR: 'br_cnpj',
  CA: 'ca_gst_hst',
  CH: 'ch_uid',
  CL: 'cl_tin',
  CN: 'cn_tin',
  CO: 'co_nit',
  CR: 'cr_tin',
  DO: 'do_rcn',
  EC: 'ec_ruc',
  EG: 'eg_tin',
  GE: 'ge_vat',
  HK: 'hk_br',
  ID: 'id_npwp',
  IL: 'il_vat',
  IN: 'in_gst',
  IS: 'is_vat',
  JP: 'jp_cn',
  KE: 'ke_pin',
  KR: 'kr_brn',
  KZ: 'kz_bin',
  LI: 'li_uid',
  MK: 'mk_vat',
  MU: 'mu_tan',
  MX: 'mx_rfc',
  MY: 'my_frp',
  NG: 'ng_tin',
  NO: 'no_vat',
  NZ: 'nz_gst',
  OM: 'om_vat',
  PE: 'pe_ruc',
  PH: 'ph_tin',
  RS: 'rs_pib',
  RU: 'ru_inn',
  SA: 'sa_vat',
  SG: 'sg_uen',
  SV: 'sv_nit',
  TH: 'th_vat',
  TR: 'tr_tin',
  TW: 'tw_vat',
  UA: 'ua_vat',
  UY: 'uy_ruc',
  VE: 've_rif',
  VN: 'vn_tin',
  ZA: 'za_vat',
};

/** stdnum's `compact`: separators dropped, upper case. */
function compact(value: string): string {
  return value.replace(/[\s.\-/,:]/g, '').toUpperCase();
}

/**
 * The `[value, format]` pair Polar stores for `value` with a billing address in `country`, or null where Polar
 * answers "Invalid tax ID.".
 */
export function validateTaxId(value: string, country: string): [string, string] | null {
  const number = compact(value);
  if (EU_COUNTRIES.has(country)) {
    // stdnum's eu.vat needs the number's own country prefix (any EU one, EL for Greece).
    const prefix = number.slice(0, 2);
    const check = EU_VAT[prefix];
    return check && check(number.slice(2)) ? [number, 'eu_vat'] : null;
  }
  if (country === 'GB') {
    const rest = number.startsWith('GB') ? number.slice(2) : number;
    return gbVat(rest) ? [rest, 'gb_vat'] : null;
  }
  if (country === 'US') return /^\d{9}$/.test(number) && EIN_PREFIX.test(number) ? [number, 'us_ein'] : null;
  const format = OTHER_FORMATS[country];
  return format && /^[0-9A-Z]{4,20}$/.test(number) ? [number, format] : null;
}
