import type { EdmModel } from '../metadata/model.js';
import { manyToManyOf, type SeedAssociations } from '../store/associations.js';
import type { Row } from '../store/row.js';
import type { LazyRows } from '../store/table.js';
import { baseValue } from '../currency.js';
import { withFuzzVariants } from './fuzz-variants.js';
import { GuidSequence, hash32, Prng } from './prng.js';
import { CITIES, COMPANY_SUFFIXES, COMPANY_WORDS, FIRST_NAMES, JOB_TITLES, LAST_NAMES, PRODUCTS, SAMPLE_ACCOUNTS, SUBJECTS } from './words.js';

/** The records the established connector's documentation uses as examples, so they run verbatim. */
export const DOCUMENTED_IDS = {
  lead: 'c5233ad8-a1a4-ee11-a568-000d3ac9f67f',
  salesorder: '580775a4-17aa-ee11-a568-000d3ac9f67f',
  contact: '524f543b-3ea5-ee11-a568-000d3ac9f67f',
};

type Values = Record<string, unknown>;
interface Generated { values: Values; lookupTypes?: Record<string, string> }
interface TableSpec { count: number; make(i: number, rng: Prng): Generated; fixed?: Map<number, string> }

const START = Date.UTC(2023, 0, 1);
const SPAN_DAYS = 2 * 365;
// Row generation runs for every row a query scans, so dates and e-mail names avoid Date and
// String.prototype.normalize in the hot path: days are formatted once and cached.
const dayCache = new Map<number, string>();
const isoDate = (ms: number) => {
  const day = Math.floor(ms / 86_400_000);
  let text = dayCache.get(day);
  if (text === undefined) dayCache.set(day, (text = new Date(day * 86_400_000).toISOString().slice(0, 10)));
  return text;
};
const two = (n: number) => (n < 10 ? `0${n}` : String(n));
const iso = (ms: number) => {
  const seconds = Math.floor(ms / 1000) % 86_400;
  return `${isoDate(ms)}T${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}Z`;
};
const asciiCache = new Map<string, string>();
/** `Zürich Café` → `zurichcafe`, for e-mail addresses. */
const ascii = (text: string) => {
  let out = asciiCache.get(text);
  if (out === undefined) {
    out = text.toLowerCase().normalize('NFD').replace(/[^a-z.]/g, '');
    if (asciiCache.size < 10_000) asciiCache.set(text, out);
  }
  return out;
};
const money = (n: number) => Math.round(n * 100) / 100;

/** the base currency first (exchange rate 1), then the others with their rates to it (currency.ts) */
const CURRENCIES = [['US Dollar', 'USD', '$', 1], ['Euro', 'EUR', '€', 0.92], ['Japanese Yen', 'JPY', '¥', 151.2]] as const;

/**
 * The base-currency twins the service computes for an org with several currencies
 * (`revenue_base = revenue / exchangerate`, currency.ts), of every money column the record has a
 * value in (`moneyColumns`: those with a `_base` twin). With one currency the generators' own twins
 * stand (the value itself, as at rate 1).
 */
function inBaseCurrency(values: Values, moneyColumns: readonly string[]): void {
  const rate = typeof values.exchangerate === 'number' && values.exchangerate > 0 ? values.exchangerate : 1;
  for (const name of moneyColumns) {
    const value = values[name];
    if (typeof value === 'number') values[`${name}_base`] = baseValue(value, rate);
  }
}

export interface DataverseSeed {
  tables: Map<string, LazyRows>;
  /** Many-to-many pairs, computed from a record's index on demand. */
  associations: SeedAssociations;
  whoAmI: { UserId: string; BusinessUnitId: string; OrganizationId: string };
}

/**
 * Deterministic seed rows for the default Dataverse schema. `rows` is the number of accounts; the
 * other large tables follow it. Rows are made from (seed, table, index) on demand.
 */
export function buildDataverseSeed(
  model: EdmModel, seed: number, rows: number, options: { fuzzData?: boolean; keepRows?: boolean; multiCurrency?: boolean; fiscal?: Record<string, unknown> } = {},
): DataverseSeed {
  const n = Math.max(0, Math.floor(rows));
  const counts: Record<string, number> = {
    organization: 1, businessunit: 3, systemuser: 12, team: 4, transactioncurrency: options.multiCurrency ? CURRENCIES.length : 1, uomschedule: 1, uom: 3, pricelevel: 2, product: 40,
    competitor: 5, account: n, contact: 2 * n, lead: n, opportunity: n, incident: n, salesorder: n, salesorderdetail: 2 * n,
    quote: Math.ceil(n / 2), invoice: Math.ceil(n / 2), task: 2 * n, phonecall: n, email: n, appointment: Math.ceil(n / 2),
    annotation: Math.ceil(n / 2),
  };
  const fixed: Record<string, Map<number, string>> = {
    lead: new Map([[0, DOCUMENTED_IDS.lead]]),
    salesorder: new Map([[0, DOCUMENTED_IDS.salesorder]]),
    contact: new Map([[0, DOCUMENTED_IDS.contact]]),
  };
  const ids = new Map<string, GuidSequence>();
  const seq = (table: string) => {
    let s = ids.get(table);
    if (!s) ids.set(table, (s = new GuidSequence(table, seed, fixed[table])));
    return s;
  };
  const id = (table: string, i: number) => seq(table).idOf(i % Math.max(1, counts[table] ?? 1));
  const has = (table: string) => (counts[table] ?? 0) > 0;

  const users = counts.systemuser!;
  const admin = id('systemuser', 0);
  const usd = id('transactioncurrency', 0);
  const rootBu = id('businessunit', 0);
  const org = id('organization', 0);

  /** Columns every business table shares: owner (user or team), audit, currency. */
  const common = (rng: Prng, i: number, created: number): Generated => {
    const byTeam = rng.chance(0.15);
    const owner = byTeam ? id('team', rng.int(0, counts.team! - 1)) : id('systemuser', rng.int(0, users - 1));
    const createdBy = id('systemuser', rng.int(0, users - 1));
    const modified = created + rng.int(0, 90) * 86_400_000 + rng.int(0, 86_399) * 1000;
    return {
      values: {
        _ownerid_value: owner,
        [byTeam ? '_owningteam_value' : '_owninguser_value']: owner,
        _owningbusinessunit_value: rootBu,
        _createdby_value: createdBy,
        _modifiedby_value: createdBy,
        createdon: iso(created),
        modifiedon: iso(modified),
        versionnumber: 1000 + i,
      },
      lookupTypes: {
        _ownerid_value: byTeam ? 'team' : 'systemuser',
        [byTeam ? '_owningteam_value' : '_owninguser_value']: byTeam ? 'team' : 'systemuser',
        _owningbusinessunit_value: 'businessunit', _createdby_value: 'systemuser', _modifiedby_value: 'systemuser',
      },
    };
  };
  const createdOn = (rng: Prng) => START + rng.int(0, SPAN_DAYS) * 86_400_000 + rng.int(0, 86_399) * 1000;
  const merge = (...parts: Generated[]): Generated => ({
    values: Object.assign({}, ...parts.map((p) => p.values)),
    lookupTypes: Object.assign({}, ...parts.map((p) => p.lookupTypes ?? {})),
  });
  const person = (rng: Prng) => {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    return { first, last, full: `${first} ${last}`, email: `${ascii(first)}.${ascii(last)}` };
  };
  const company = (rng: Prng, i: number) => (i < SAMPLE_ACCOUNTS.length ? SAMPLE_ACCOUNTS[i]! : `${rng.pick(COMPANY_WORDS)} ${rng.pick(COMPANY_SUFFIXES)} ${i}`);
  /**
   * A record's currency: the base currency (USD), or with `multiCurrency` EUR or JPY for about one
   * record in seven. The draw is made either way, so the other columns do not depend on the option.
   */
  const currency = (rng: Prng): Generated => {
    const drawn = rng.chance(0.85) ? 0 : rng.int(1, 2);
    const c = options.multiCurrency ? drawn : 0;
    return { values: { _transactioncurrencyid_value: id('transactioncurrency', c), exchangerate: CURRENCIES[c]![3] }, lookupTypes: { _transactioncurrencyid_value: 'transactioncurrency' } };
  };
  const customer = (rng: Prng, column: string): Generated => {
    if (!has('account')) return { values: {} };
    const toContact = rng.chance(0.3);
    return toContact
      ? { values: { [column]: id('contact', rng.int(0, counts.contact! - 1)) }, lookupTypes: { [column]: 'contact' } }
      : { values: { [column]: id('account', rng.int(0, counts.account! - 1)) }, lookupTypes: { [column]: 'account' } };
  };
  const regarding = (rng: Prng): Generated => {
    if (!has('account') || rng.chance(0.1)) return { values: { _regardingobjectid_value: null } };
    const target = rng.pick(['account', 'account', 'contact', 'opportunity', 'incident', 'lead']);
    return { values: { _regardingobjectid_value: id(target, rng.int(0, counts[target]! - 1)) }, lookupTypes: { _regardingobjectid_value: target } };
  };
  const state = (rng: Prng, states: [number, number][]) => {
    const [statecode, statuscode] = rng.pick(states);
    return { statecode, statuscode };
  };

  const specs: Record<string, TableSpec> = {
    // fiscal settings (fetchxml/fiscal-calendar.ts): by default years from 1 January, quarterly periods, named by their start
    organization: { count: 1, make: () => ({ values: {
      organizationid: org, name: 'Contoso (emulated)', languagecode: 1033,
      fiscalcalendarstart: '2000-01-01T00:00:00Z', fiscalperiodtype: 2002, fiscalyeardisplaycode: 1, ...options.fiscal,
    } }) },
    businessunit: {
      count: counts.businessunit!,
      make: (i) => ({
        values: { businessunitid: id('businessunit', i), name: ['Contoso', 'Contoso Sales', 'Contoso Service'][i] ?? `Unit ${i}`,
          _parentbusinessunitid_value: i === 0 ? null : rootBu, createdon: iso(START), isdisabled: false },
        lookupTypes: { _parentbusinessunitid_value: 'businessunit' },
      }),
    },
    systemuser: {
      count: users,
      make: (i, rng) => {
        const p = i === 0 ? { first: 'System', last: 'Administrator', full: 'System Administrator', email: 'admin' } : person(rng);
        const uid = id('systemuser', i);
        return {
          values: { ownerid: uid, systemuserid: uid, firstname: p.first, lastname: p.last, fullname: p.full,
            domainname: `${p.email}@contoso.example`, internalemailaddress: `${p.email}@contoso.example`, isdisabled: false,
            title: i === 0 ? null : rng.pick(['Salesperson', 'Sales Manager', 'Service Agent', 'Analyst']), accessmode: 0,
            _businessunitid_value: id('businessunit', i % counts.businessunit!), createdon: iso(START), versionnumber: 100 + i },
          lookupTypes: { _businessunitid_value: 'businessunit' },
        };
      },
    },
    team: {
      count: counts.team!,
      make: (i) => {
        const tid = id('team', i);
        return {
          // The first teams are the default teams of the business units (see `seedAssociations`).
          values: { ownerid: tid, teamid: tid, name: ['Contoso', 'Sales Team', 'Service Team', 'Équipe Marketing'][i] ?? `Team ${i}`,
            teamtype: 0, isdefault: i < counts.businessunit!, _businessunitid_value: i < counts.businessunit! ? id('businessunit', i) : rootBu,
            _administratorid_value: admin, createdon: iso(START) },
          lookupTypes: { _businessunitid_value: 'businessunit', _administratorid_value: 'systemuser' },
        };
      },
    },
    transactioncurrency: {
      count: counts.transactioncurrency!,
      make: (i) => {
        const [name, code, symbol, rate] = CURRENCIES[i]!;
        return { values: { transactioncurrencyid: id('transactioncurrency', i), currencyname: name, isocurrencycode: code, currencysymbol: symbol,
          exchangerate: rate, currencyprecision: code === 'JPY' ? 0 : 2, statecode: 0, statuscode: 1, createdon: iso(START) } };
      },
    },
    uomschedule: { count: 1, make: () => ({ values: { uomscheduleid: id('uomschedule', 0), name: 'Default Unit', baseuomname: 'Primary Unit', statecode: 0, statuscode: 1 } }) },
    uom: {
      count: 3,
      make: (i) => ({
        values: { uomid: id('uom', i), name: ['Primary Unit', 'Dozen', 'Box'][i], quantity: [1, 12, 24][i], isschedulebaseuom: i === 0,
          _uomscheduleid_value: id('uomschedule', 0), _baseuom_value: i === 0 ? null : id('uom', 0) },
        lookupTypes: { _uomscheduleid_value: 'uomschedule', _baseuom_value: 'uom' },
      }),
    },
    pricelevel: {
      count: 2,
      make: (i) => ({
        values: { pricelevelid: id('pricelevel', i), name: ['Retail', 'Wholesale'][i], statecode: 0, statuscode: 1, _transactioncurrencyid_value: usd, createdon: iso(START) },
        lookupTypes: { _transactioncurrencyid_value: 'transactioncurrency' },
      }),
    },
    product: {
      count: counts.product!,
      make: (i, rng) => {
        const price = money(rng.int(5, 2000) + rng.int(0, 99) / 100);
        return merge(currency(rng), {
          values: { productid: id('product', i), name: `${PRODUCTS[i % PRODUCTS.length]} ${Math.floor(i / PRODUCTS.length) + 1}`,
            productnumber: `PRD-${String(i + 1).padStart(5, '0')}`, price, price_base: price, standardcost: money(price * 0.6),
            quantitydecimal: 2, productstructure: 1, statecode: 0, statuscode: 1, _defaultuomid_value: id('uom', 0), _defaultuomscheduleid_value: id('uomschedule', 0),
            _pricelevelid_value: id('pricelevel', 0), createdon: iso(START) },
          lookupTypes: { _defaultuomid_value: 'uom', _defaultuomscheduleid_value: 'uomschedule', _pricelevelid_value: 'pricelevel' },
        });
      },
    },
    competitor: {
      count: counts.competitor!,
      make: (i) => ({ values: { competitorid: id('competitor', i), name: ['Tailspin Toys', 'Wingtip Toys', 'Proseware', 'Lamna Healthcare', 'Trey Research'][i], createdon: iso(START) } }),
    },
    account: {
      count: counts.account!,
      make: (i, rng) => {
        const created = createdOn(rng);
        const [city, region, country] = rng.pick(CITIES);
        const revenue = rng.chance(0.8) ? money(rng.int(10, 5000) * 1000) : null;
        const name = company(rng, i);
        const cur = currency(rng); // drawn before common(): the order of the draws fixes every other value
        return merge(common(rng, i, created), cur, {
          values: {
            accountid: id('account', i), name, accountnumber: `ACC-${String(i + 1).padStart(6, '0')}`,
            telephone1: `+1-555-${String(rng.int(0, 9999)).padStart(4, '0')}`,
            emailaddress1: rng.chance(0.9) ? `info${i}@${ascii(name.replace(/ \d+$/, '')).replace(/\./g, '').slice(0, 12) || 'example'}.example` : null,
            websiteurl: rng.chance(0.5) ? `https://www.example.com/${i}` : null,
            address1_city: city, address1_stateorprovince: region, address1_country: country, address1_composite: `${city}, ${region}, ${country}`,
            address1_postalcode: String(rng.int(10000, 99999)),
            revenue, revenue_base: revenue,
            creditlimit: rng.chance(0.5) ? money(rng.int(1, 100) * 1000) : null,
            numberofemployees: rng.chance(0.85) ? rng.int(1, 20000) : null,
            industrycode: rng.chance(0.8) ? rng.int(1, 13) : null, accountcategorycode: rng.chance(0.7) ? rng.int(1, 2) : null,
            customertypecode: rng.int(1, 12), ownershipcode: rng.chance(0.5) ? rng.int(1, 4) : null,
            creditonhold: rng.chance(0.1), donotemail: rng.chance(0.2),
            description: rng.chance(0.3) ? rng.pick(['Key account — renewal due', 'Café chain, 12 sites', 'Übernahme geplant', 'Prefers email', '顧客 (priority)']) : null,
            ...state(rng, [[0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [1, 2]]),
            _primarycontactid_value: has('contact') && rng.chance(0.8) ? id('contact', 2 * i) : null,
            _parentaccountid_value: i > 10 && rng.chance(0.1) ? id('account', rng.int(0, i - 1)) : null,
          },
          lookupTypes: { _primarycontactid_value: 'contact', _parentaccountid_value: 'account' },
        });
      },
    },
    contact: {
      count: counts.contact!,
      make: (i, rng) => {
        const created = createdOn(rng);
        const p = i === 0 ? { first: 'Yvonne', last: 'McKay (sample)', full: 'Yvonne McKay (sample)', email: 'yvonne.mckay' } : person(rng);
        const [city, region, country] = rng.pick(CITIES);
        const parent: Generated = rng.chance(0.85)
          ? { values: { _parentcustomerid_value: id('account', Math.floor(i / 2)) }, lookupTypes: { _parentcustomerid_value: 'account' } }
          : rng.chance(0.5) && i > 0 ? { values: { _parentcustomerid_value: id('contact', rng.int(0, i - 1)) }, lookupTypes: { _parentcustomerid_value: 'contact' } }
          : { values: { _parentcustomerid_value: null } };
        return merge(common(rng, i, created), currency(rng), parent, {
          values: {
            contactid: id('contact', i), firstname: p.first, lastname: p.last, fullname: p.full, yomifullname: p.full,
            emailaddress1: rng.chance(0.9) ? `${p.email}${i}@example.com` : null, jobtitle: rng.pick(JOB_TITLES),
            telephone1: rng.chance(0.7) ? `+1-555-${String(rng.int(0, 9999)).padStart(4, '0')}` : null,
            mobilephone: rng.chance(0.4) ? `+44 7700 ${String(rng.int(100000, 999999))}` : null,
            birthdate: rng.chance(0.6) ? isoDate(Date.UTC(1950, 0, 1) + rng.int(0, 50 * 365) * 86_400_000) : null,
            gendercode: rng.chance(0.7) ? rng.int(1, 2) : null, familystatuscode: rng.chance(0.5) ? rng.int(1, 4) : null,
            preferredcontactmethodcode: 1, address1_city: city, address1_stateorprovince: region, address1_country: country,
            creditlimit: rng.chance(0.3) ? money(rng.int(1, 50) * 500) : null, donotphone: rng.chance(0.1),
            ...state(rng, [[0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [1, 2]]),
          },
        });
      },
    },
    lead: {
      count: counts.lead!,
      make: (i, rng) => {
        const created = createdOn(rng);
        const p = i === 0 ? { first: 'Nancy', last: 'Anderson (sample)', full: 'Nancy Anderson (sample)', email: 'nancy' } : person(rng);
        const qualified = i > 0 && rng.chance(0.2);
        const value = rng.chance(0.7) ? money(rng.int(1, 500) * 1000) : null;
        return merge(common(rng, i, created), currency(rng), {
          values: {
            leadid: id('lead', i), subject: i === 0 ? 'Interested in coffee machines (sample)' : `Interested in ${rng.pick(PRODUCTS).toLowerCase()}s`,
            firstname: p.first, lastname: p.last, fullname: p.full, companyname: company(rng, i + 3),
            emailaddress1: `${p.email}${i}@example.net`, telephone1: `+1-555-${String(rng.int(0, 9999)).padStart(4, '0')}`,
            leadsourcecode: rng.int(1, 10), leadqualitycode: rng.int(1, 3), estimatedvalue: value, estimatedvalue_base: value,
            statecode: qualified ? 1 : 0, statuscode: qualified ? 3 : rng.pick([1, 2]),
            _parentaccountid_value: has('account') && rng.chance(0.3) ? id('account', i) : null,
          },
          lookupTypes: { _parentaccountid_value: 'account' },
        });
      },
    },
    opportunity: {
      count: counts.opportunity!,
      make: (i, rng) => {
        const created = createdOn(rng);
        const value = money(rng.int(1, 1000) * 500);
        return merge(common(rng, i, created), currency(rng), customer(rng, '_customerid_value'), {
          values: {
            opportunityid: id('opportunity', i), name: `${rng.pick(PRODUCTS)}s for ${company(rng, i)}`,
            estimatedvalue: value, estimatedvalue_base: value, closeprobability: rng.int(0, 100),
            estimatedclosedate: isoDate(created + rng.int(10, 200) * 86_400_000), opportunityratingcode: rng.int(1, 3),
            ...state(rng, [[0, 1], [0, 1], [0, 2], [1, 3], [2, 4], [2, 5]]),
            _parentaccountid_value: has('account') ? id('account', i) : null,
          },
          lookupTypes: { _parentaccountid_value: 'account' },
        });
      },
    },
    incident: {
      count: counts.incident!,
      make: (i, rng) => {
        const created = createdOn(rng);
        return merge(common(rng, i, created), customer(rng, '_customerid_value'), {
          values: {
            incidentid: id('incident', i), title: `${rng.pick(['Machine leaks', 'Grinder jammed', 'Invoice question', 'Délai de livraison', 'Warranty claim'])} #${i + 1}`,
            ticketnumber: `CAS-${String(i + 1).padStart(5, '0')}-${'ABCDEFGH'[i % 8]}${(i * 7) % 10}`,
            prioritycode: rng.int(1, 3), casetypecode: rng.chance(0.9) ? rng.int(1, 3) : null, caseorigincode: rng.int(1, 3),
            ...state(rng, [[0, 1], [0, 1], [0, 2], [0, 3], [1, 5], [2, 6]]),
            _productid_value: id('product', rng.int(0, counts.product! - 1)),
          },
          lookupTypes: { _productid_value: 'product' },
        });
      },
    },
    salesorder: {
      count: counts.salesorder!,
      make: (i, rng) => {
        const created = createdOn(rng);
        const total = money(rng.int(100, 100000) + rng.int(0, 99) / 100);
        return merge(common(rng, i, created), currency(rng), customer(rng, '_customerid_value'), {
          values: {
            salesorderid: id('salesorder', i), name: i === 0 ? 'Order for coffee machines (sample)' : `Order ${i + 1}`,
            ordernumber: `ORD-${String(i + 1).padStart(5, '0')}`, totalamount: total, totalamount_base: total,
            ...state(rng, [[0, 1], [0, 2], [1, 3], [3, 100001], [4, 100003]]),
            _pricelevelid_value: id('pricelevel', 0),
            _opportunityid_value: has('opportunity') && rng.chance(0.5) ? id('opportunity', i) : null,
          },
          lookupTypes: { _pricelevelid_value: 'pricelevel', _opportunityid_value: 'opportunity' },
        });
      },
    },
    salesorderdetail: {
      count: counts.salesorderdetail!,
      make: (i, rng) => {
        const created = createdOn(rng);
        const quantity = rng.int(1, 20);
        const unit = money(rng.int(5, 2000));
        return merge(common(rng, i, created), currency(rng), {
          values: {
            salesorderdetailid: id('salesorderdetail', i), _salesorderid_value: id('salesorder', Math.floor(i / 2)),
            _productid_value: id('product', rng.int(0, counts.product! - 1)), _uomid_value: id('uom', 0),
            quantity, priceperunit: unit, baseamount: money(quantity * unit), extendedamount: money(quantity * unit), lineitemnumber: (i % 2) + 1,
          },
          lookupTypes: { _salesorderid_value: 'salesorder', _productid_value: 'product', _uomid_value: 'uom' },
        });
      },
    },
    quote: {
      count: counts.quote!,
      make: (i, rng) => {
        const created = createdOn(rng);
        const total = money(rng.int(100, 50000));
        return merge(common(rng, i, created), currency(rng), customer(rng, '_customerid_value'), {
          values: { quoteid: id('quote', i), name: `Quote ${i + 1}`, quotenumber: `QUO-${String(i + 1).padStart(5, '0')}`,
            totalamount: total, ...state(rng, [[0, 1], [1, 3], [2, 4]]), _pricelevelid_value: id('pricelevel', 0) },
          lookupTypes: { _pricelevelid_value: 'pricelevel' },
        });
      },
    },
    invoice: {
      count: counts.invoice!,
      make: (i, rng) => {
        const created = createdOn(rng);
        const total = money(rng.int(100, 50000));
        return merge(common(rng, i, created), currency(rng), customer(rng, '_customerid_value'), {
          values: { invoiceid: id('invoice', i), name: `Invoice ${i + 1}`, invoicenumber: `INV-${String(i + 1).padStart(5, '0')}`,
            totalamount: total, ...state(rng, [[0, 1], [2, 100001], [3, 100002]]), _pricelevelid_value: id('pricelevel', 0),
            _salesorderid_value: has('salesorder') ? id('salesorder', i) : null },
          lookupTypes: { _pricelevelid_value: 'pricelevel', _salesorderid_value: 'salesorder' },
        });
      },
    },
  };
  const activity = (type: string, extra: (i: number, rng: Prng) => Values): TableSpec => ({
    count: counts[type]!,
    make: (i, rng) => {
      const created = createdOn(rng);
      const done = rng.chance(0.4);
      return merge(common(rng, i, created), regarding(rng), {
        values: {
          activityid: id(type, i), subject: `${rng.pick(SUBJECTS)} (${i + 1})`, activitytypecode: type,
          description: rng.chance(0.3) ? 'Notes: customer asked for a callback — « urgent »' : null,
          scheduledend: iso(created + rng.int(1, 30) * 86_400_000), actualdurationminutes: done ? rng.int(5, 120) : null,
          prioritycode: rng.int(0, 2), statecode: done ? 1 : 0, statuscode: done ? (type === 'task' ? 5 : 2) : 1,
          ...extra(i, rng),
        },
      });
    },
  });
  specs.task = activity('task', (_i, rng) => ({ percentcomplete: rng.int(0, 100) }));
  specs.phonecall = activity('phonecall', (_i, rng) => ({ phonenumber: `+1-555-${String(rng.int(0, 9999)).padStart(4, '0')}`, directioncode: rng.chance(0.5) }));
  specs.email = activity('email', (_i, rng) => ({ directioncode: rng.chance(0.5), sender: 'someone@example.com' }));
  specs.appointment = activity('appointment', (_i, rng) => ({ location: rng.pick(['Teams', 'Office', 'Café Central']), isalldayevent: false }));
  specs.annotation = {
    count: counts.annotation!,
    make: (i, rng) => {
      const created = createdOn(rng);
      const target = rng.chance(0.7) ? 'account' : 'contact';
      return merge(common(rng, i, created), {
        values: { annotationid: id('annotation', i), subject: `Note ${i + 1}`, notetext: rng.pick(['Met at the trade show.', 'Prefers morning calls.', 'Budget approved ✔']),
          isdocument: false, filename: null, mimetype: null, _objectid_value: id(target, rng.int(0, counts[target]! - 1)), objecttypecode: target },
        lookupTypes: { _objectid_value: target },
      });
    },
  };

  const tables = new Map<string, LazyRows>();
  for (const [table, spec] of Object.entries(specs)) {
    const entity = model.entityTypes.get(table);
    if (!entity || !entity.entitySet || spec.count === 0) continue;
    const known = entity.properties;
    const sequence = seq(table);
    const tableHash = hash32(table, seed);
    const count = spec.count;
    const hasVersion = known.has('versionnumber');
    const moneyColumns = options.multiCurrency ? [...known.keys()].filter((name) => known.has(`${name}_base`)) : [];
    const build = (i: number): Row => {
      const generated = spec.make(i, new Prng(tableHash ^ Math.imul(i + 1, 0x9e3779b1)));
      // Columns a custom EDMX lacks are dropped; with the default schema nothing is, and no copy is made.
      let values = options.fuzzData ? withFuzzVariants(table, i, seed, generated.values) : generated.values;
      if (moneyColumns.length > 0) inBaseCurrency(values, moneyColumns);
      for (const key in values) {
        if (known.has(key)) continue;
        const all = values;
        values = {};
        for (const k in all) if (known.has(k)) values[k] = all[k];
        break;
      }
      const lookupTypes = generated.lookupTypes ?? {};
      for (const key in lookupTypes) if (values[key] == null) delete lookupTypes[key];
      if (hasVersion) values.versionnumber = 1000 + i;
      return { values, lookupTypes, version: 1000 + i };
    };
    // The differential test reads every account and contact for each of thousands of statements: its
    // worlds (a few thousand rows) build each row once, as does a benchmark that keeps its rows
    // (EmulatorOptions.keepSeedRows), and any table of up to KEPT_TABLE_ROWS rows (an emulator a test starts
    // is read over and over: building rows was ~20% of a write test's CPU). Only bigger tables are built
    // anew on every read, for memory. Sharing a row is safe: writes store a copy.
    const built: (Row | undefined)[] | undefined = options.fuzzData || options.keepRows || count <= KEPT_TABLE_ROWS ? [] : undefined;
    tables.set(table, {
      count,
      idOf: (i) => sequence.idOf(i),
      indexOf: (rowId) => sequence.indexOf(rowId, count),
      make: built ? (i) => (built[i] ??= build(i)) : build,
    });
  }
  const associations = seedAssociations(model, counts, (table, rowId) => seq(table).indexOf(rowId, counts[table] ?? 0), (table, i) => seq(table).idOf(i));
  return { tables, associations, whoAmI: { UserId: admin, BusinessUnitId: rootBu, OrganizationId: org } };
}

/** tables of up to this many rows keep each row once built (a few MB each at most) */
const KEPT_TABLE_ROWS = 5_000;

/**
 * A few many-to-many pairs, each a rule on row indexes so both sides are found without a scan:
 * - `teammembership_association`: user i is a member of the default team of its business unit
 *   (team i mod 3, as user i is in business unit i mod 3), and users 1, 5, 9, … of the fourth
 *   team ("Équipe Marketing");
 * - `accountleads_association`: every fourth account (0, 4, 8, …) is linked to lead i and lead i+2.
 * A rule is skipped when the schema lacks its relationship (a custom `--metadata`).
 */
function seedAssociations(
  model: EdmModel,
  counts: Record<string, number>,
  indexOf: (table: string, id: string) => number,
  idOf: (table: string, index: number) => string,
): SeedAssociations {
  const result: SeedAssociations = new Map();
  const add = (entity: string, navigation: string, ends: [string, string], related: (side: 0 | 1, index: number) => number[]) => {
    const nav = model.entityTypes.get(entity)?.navigations.get(navigation);
    const m2m = nav ? manyToManyOf(model, nav) : undefined;
    if (!m2m || m2m.name !== navigation || m2m.ends[0] !== ends[0] || m2m.ends[1] !== ends[1]) return;
    if (!model.entityTypes.get(ends[0])?.entitySet || !model.entityTypes.get(ends[1])?.entitySet) return;
    result.set(navigation, {
      relatedOf: (side, rowId) => {
        const index = indexOf(ends[side], rowId);
        if (index < 0) return [];
        const otherTable = ends[side === 0 ? 1 : 0];
        return related(side, index).filter((i) => i >= 0 && i < (counts[otherTable] ?? 0)).map((i) => idOf(otherTable, i));
      },
    });
  };
  const units = counts.businessunit ?? 0;
  const users = counts.systemuser ?? 0;
  const marketing = units; // the first team after the business units' default teams
  add('systemuser', 'teammembership_association', ['systemuser', 'team'], (side, i) => {
    if (side === 0) return units > 0 ? (i % 4 === 1 ? [i % units, marketing] : [i % units]) : [];
    const members: number[] = [];
    for (let u = 0; u < users; u++) if ((i < units && u % units === i) || (i === marketing && u % 4 === 1)) members.push(u);
    return members;
  });
  add('account', 'accountleads_association', ['account', 'lead'], (side, i) => {
    if (side === 0) return i % 4 === 0 ? [i, i + 2] : [];
    return [i, i - 2].filter((a) => a >= 0 && a % 4 === 0);
  });
  return result;
}
