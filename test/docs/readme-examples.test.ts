/**
 * The README never shows an example that fails as written (issue 16): every connection string in it
 * signs in and reads, and every SQL example runs, against the emulator. The org URL is pointed at
 * the emulator and its identity provider (whose tenant is the README's `contoso.onmicrosoft.com`, with
 * the README's placeholder `<app id>` registered as a public client); ids in angle brackets or `…`
 * are filled with ids of real rows, `@name` parameters with values.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificate, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { DATAVERSE_EDMX } from '../../src/emulator/metadata/dataverse-edmx.js';
import { connect, type Connection } from '../../src/index.js';

const ACCOUNT = '<EntityType Name="account" BaseType="mscrm.crmbaseentity">\n        <Key>\n          <PropertyRef Name="accountid"/>\n        </Key>';
const ACCOUNTNUMBER_KEY = `<Annotation Term="Keys.AlternateKeys"><Collection>
  <Record Type="Keys.AlternateKey"><PropertyValue Property="Key"><Collection>
    <Record Type="Keys.PropertyRef"><PropertyValue Property="Alias" String="accountnumber"/><PropertyValue Property="Name" PropertyPath="accountnumber"/></Record>
  </Collection></PropertyValue></Record>
</Collection></Annotation>`;
const CERTIFICATE = createCertificate({ commonName: 'dynasql-docs-app' });
const README = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
const ORG = 'https://contoso.crm.dynamics.com';

let secured: RunningEmulator;
let plain: RunningEmulator;
let caFile: string;
let approver: NodeJS.Timeout;
let conn: Connection;

beforeAll(async () => {
  secured = await startEmulator({
    port: 0,
    rows: 3,
    auth: {
      tenantId: 'contoso.onmicrosoft.com',
      audience: ORG,
      // the docs' placeholders, registered as they are written: one app with a secret, a certificate and public client flows
      clients: [{ clientId: '<app id>', isPublic: true, clientSecret: '<secret>', certificatePem: CERTIFICATE.certPem }, { clientId: 'readme-app', clientSecret: 'readme-secret' }],
      deviceCodeIntervalSeconds: 1,
    },
  });
  // plays the user of the device-code sign-in: approves every pending code
  approver = setInterval(() => {
    for (const entry of secured.identity!.tokens.deviceCodes.values()) entry.user ??= secured.identity!.tokens.users[0];
  }, 100);
  caFile = join(mkdtempSync(join(tmpdir(), 'dynasql-readme-')), 'ca.pem');
  writeFileSync(caFile, secured.identity!.caCertificatePem);
  // an org that defines an alternate key on account.accountnumber, as the README's UPSERT example says
  plain = await startEmulator({ port: 0, rows: 100, metadataXml: DATAVERSE_EDMX.replace(ACCOUNT, `${ACCOUNT}\n${ACCOUNTNUMBER_KEY}`) });
  conn = await connect(`Organization URL=${plain.origin};Use Dynamic Stored Procedures=true`);
});
afterAll(async () => {
  clearInterval(approver);
  await (await signedIn)?.close();
  await conn?.close();
  await secured?.close();
  await plain?.close();
});

/** the code blocks of one language (```sql …```) */
function blocks(language: string): string[] {
  return [...README.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}

/** every connection string the README shows: in code, in `-c "…"`, in the profile JSON, and the one the TypeScript example builds */
function connectionStrings(): string[] {
  const found = new Set<string>();
  for (const m of README.matchAll(/Organization URL=[^"'`\n]*/g)) {
    if (m[0].endsWith(';') || m[0].includes('${')) continue; // the TypeScript example's first piece (below) or the emulator's (its own test)
    found.add(m[0]);
  }
  const typescript = blocks('ts').find((b) => b.includes('Auth Scheme=ClientSecret'))!;
  const expression = /connect\(\s*([\s\S]*?),\s*\);/.exec(typescript)![1]!;
  // the example reads the client id and secret from the environment
  found.add(new Function('process', `return ${expression}`)({ env: { CLIENT_ID: 'readme-app', CLIENT_SECRET: 'readme-secret' } }) as string);
  return [...found];
}

describe('the README connection strings', () => {
  const strings = connectionStrings();
  it('are found (ClientSecret in code, DeviceCode on the command line and in a profile)', () => {
    expect(strings.some((s) => s.includes('Auth Scheme=ClientSecret'))).toBe(true);
    expect(strings.filter((s) => s.includes('Auth Scheme=DeviceCode')).length).toBeGreaterThanOrEqual(2);
  });
  for (const text of strings) {
    it(`signs in and reads: ${text}`, async () => {
      const identity = secured.identity!;
      const aimed = `${text.replace(ORG, secured.origin)};Authority Host=${identity.url};CA File=${caFile}`;
      await using c = await connect(aimed);
      const { rows } = await c.query('SELECT TOP 1 name FROM account');
      expect(rows).toHaveLength(1);
    }, 60_000);
  }

  it('the emulator example connects with Organization URL=${emu.url}', async () => {
    const example = blocks('ts').find((b) => b.includes('startEmulator'))!;
    expect(example).toContain('connect(`Organization URL=${emu.url}`)');
    await using c = await connect(`Organization URL=${plain.url}`);
    expect((await c.query('SELECT TOP 1 name FROM account')).rows).toHaveLength(1);
  });

  it('DeviceCode without a Client Id says what the setting is and where it comes from', async () => {
    await expect(connect(`Organization URL=${ORG};Auth Scheme=DeviceCode`)).rejects.toThrow(
      /Auth Scheme=DeviceCode needs the setting 'Client Id': the Application \(client\) ID of your app registration .*Allow public client flows/,
    );
  });
});

describe('the getting-started connection strings', () => {
  const GUIDE = readFileSync(resolve(import.meta.dirname, '../../docs/getting-started.md'), 'utf8');
  const strings = [...GUIDE.matchAll(/`(Organization URL=[^`]*)`/g)].map((m) => m[1]!);
  it('cover every scheme', () => {
    for (const scheme of ['ClientSecret', 'ClientCertificate', 'DeviceCode', 'AuthCode', 'RefreshToken', 'AccessToken', 'ADFS']) {
      expect(strings.some((s) => s.includes(`Auth Scheme=${scheme};`)), scheme).toBe(true);
    }
  });
  // AuthCode needs a person at a browser (test/auth/emulator-identity.test.ts plays one), ADFS an F&O on-premises server
  for (const text of strings.filter((s) => !/Auth Scheme=(AuthCode|ADFS);/.test(s))) {
    it(`signs in and reads: ${text}`, async () => {
      const identity = secured.identity!;
      const certificateFile = join(mkdtempSync(join(tmpdir(), 'dynasql-guide-')), 'app.pem');
      writeFileSync(certificateFile, CERTIFICATE.certPem + CERTIFICATE.keyPem);
      const scope = `${secured.origin}/user_impersonation offline_access`;
      const filled = text
        .replace(ORG, secured.origin)
        .replace('/path/app.pem', certificateFile)
        .replace('Refresh Token=<token>', `Refresh Token=${identity.tokens.issueRefreshToken('<app id>', identity.tokens.users[0]!, scope)}`)
        .replace('Access Token=<token>', `Access Token=${identity.tokens.issueAccessToken({ clientId: '<app id>' }, secured.origin, 'tenant')}`);
      await using c = await connect(`${filled};Authority Host=${identity.url};CA File=${caFile}`);
      expect((await c.query('SELECT TOP 1 name FROM account')).rows).toHaveLength(1);
    }, 60_000);
  }
});

describe('the README SQL examples', () => {
  /** one statement per line; a trailing `-- comment` dropped */
  const statements = blocks('sql').flatMap((b) => b.split('\n')).map((l) => l.replace(/\s+--.*$/, '').trim()).filter(Boolean);

  it('are found', () => {
    expect(statements.length).toBeGreaterThan(15);
  });

  for (const statement of statements) {
    it(statement, async () => {
      const ids = await realIds();
      const filled = statement
        .replace(/account\(5b4ced1c-\.\.\.\)/g, `account(${ids.account})`)
        .replace(/opportunities\(<id>\)/g, `opportunities(${ids.opportunity})`)
        .replace(/leads\(<id>\)/g, `leads(${ids.lead})`)
        .replace(/@Id='<id>'/g, `@Id='${ids.account}'`)
        .replace(/@RelatedId='<id>'/g, `@RelatedId='${ids.contact}'`)
        .replace(/'<systemuserid>'/g, `'${ids.systemuser}'`);
      const params = { contactId: ids.contact, id: statement.includes('INTO contact') ? ids.account : ids.account };
      if (/GetOAuthAccessToken @AuthCode = '\.\.\.'/.test(statement)) {
        // the second half of a sign-in: with the README's '...' for a code it must fail, saying why
        await expect((await signInConnection()).query(filled)).rejects.toMatchObject({ code: 'DYNASQL_ERR_AUTH' });
        return;
      }
      const dialect = /^CALL /.test(filled) ? 'postgresql' : 'tsql';
      // the EXEC example above qualified the first lead already
      const positional = dialect === 'postgresql' ? [`leads(${ids.otherLead})`] : undefined;
      // GetOAuthAccessToken signs in: the README's DeviceCode connection (a Client Id), on the emulator with sign-in
      const target = /GetOAuthAccessToken/.test(filled) ? await signInConnection() : conn;
      const result = await target.query(filled, positional ?? params, { dialect });
      expect(result.command).toBeDefined();
    }, 30_000);
  }
});

describe('the README command-line SQL', () => {
  // `-e "…"`, `echo "…" | dynasql`, and the statements the demo suggests (`…;` in backticks)
  const shell = [...README.matchAll(/(?:-e|echo) "([^"]+)"/g)].map((m) => m[1]!).filter((sql) => /^(SELECT|WITH|INSERT|UPDATE|DELETE|EXEC)\s/i.test(sql));
  const suggested = [...README.matchAll(/`((?:SELECT|UPDATE|DELETE|INSERT) [^`]*;)`/g)].map((m) => m[1]!).filter((sql) => !sql.includes('...'));
  it('are found', () => {
    expect(shell.length).toBeGreaterThanOrEqual(2);
    expect(suggested.length).toBeGreaterThanOrEqual(1);
  });
  for (const sql of [...shell, ...suggested]) {
    it(sql, async () => {
      expect((await conn.query(sql.replace(/;$/, ''))).rows.length).toBeGreaterThan(0);
    });
  }
});

let ids: Promise<Record<'account' | 'contact' | 'lead' | 'otherLead' | 'opportunity' | 'systemuser', string>> | undefined;
function realIds() {
  ids ??= (async () => {
    const first = async (sql: string) => String(Object.values((await conn.query(sql)).rows[0]!)[0]);
    return {
      account: await first('SELECT TOP 1 accountid FROM account'),
      contact: await first('SELECT TOP 1 contactid FROM contact'),
      lead: await first('SELECT TOP 1 leadid FROM lead ORDER BY leadid'),
      otherLead: await first('SELECT TOP 1 leadid FROM lead ORDER BY leadid DESC'),
      opportunity: await first('SELECT TOP 1 opportunityid FROM opportunity'),
      systemuser: await first('SELECT TOP 1 systemuserid FROM systemuser'),
    };
  })();
  return ids;
}

let signedIn: Promise<Connection> | undefined;
/** the README's DeviceCode connection string, aimed at the emulator with sign-in */
function signInConnection(): Promise<Connection> {
  const identity = secured.identity!;
  signedIn ??= connect(`Organization URL=${secured.origin};Auth Scheme=DeviceCode;Client Id=<app id>;Azure Tenant=contoso.onmicrosoft.com;Authority Host=${identity.url};CA File=${caFile}`);
  return signedIn;
}
