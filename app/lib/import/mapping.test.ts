import { describe, expect, it } from 'vitest';
import { autoMapHeaders, customKeyFor, headerKey, IDENTIFYING_RULE, validateMapping } from './mapping';
import type { Mapping } from './types';

const fields = (headers: string[]) => Object.fromEntries(autoMapHeaders(headers).map((m) => [m.header, m.field]));

describe('headerKey', () => {
  it('ignores case, spaces, punctuation, underscores, accents and camelCase', () => {
    const key = headerKey('E-mail Address');
    for (const h of ['email address', 'EMAIL_ADDRESS', 'Email-Address', 'EmailAddress', ' e.mail  address '])
      expect(headerKey(h)).toBe(key);
    expect(headerKey('Prénom')).toBe('prenom');
    expect(headerKey('Lead_Source__c')).toBe('leadsource');
  });
});

describe('autoMapHeaders', () => {
  it('maps the headers the issue names', () => {
    expect(
      fields([
        'First Name',
        'E-mail Address',
        'Company Name',
        'Lead Source',
        'Mobile Phone',
        'Job Title',
        'utm_source',
        'UTM Campaign',
        'Lifecycle Stage',
        'Country/Region',
        'State/Province',
      ]),
    ).toEqual({
      'First Name': 'firstName',
      'E-mail Address': 'email',
      'Company Name': 'companyName',
      'Lead Source': 'source',
      'Mobile Phone': 'phone',
      'Job Title': 'title',
      utm_source: null, // "Lead Source" is the better claim on source
      'UTM Campaign': 'campaign',
      'Lifecycle Stage': 'stage',
      'Country/Region': 'country',
      'State/Province': 'region',
    });
  });

  it.each([
    ['Email 1', 'email'],
    ['Primary Email', 'email'],
    ['Work Email', 'email'],
    ['Business Phone', 'phone'],
    ['Company', 'companyName'],
    ['Account Name', 'companyName'],
    ['Organization', 'companyName'],
    ['Original Source', 'source'],
    ['Lead Status', 'stage'],
    ['Zip', 'custom.postal_code'],
    ['Zip/Postal Code', 'custom.postal_code'],
    ['Full Name', 'fullName'],
    ['Given Name', 'firstName'],
    ['Family Name', 'lastName'],
    ['Web Page', 'website'],
    ['Categories', 'tags'],
    ['Create Date', 'createdAt'],
    ['Created Time', 'createdAt'],
    ['No. of Employees', 'companySize'],
    ['Email Opt Out', 'unsubscribed'],
    ['HasOptedOutOfEmail', 'unsubscribed'],
    ['Accepts Marketing', 'emailOptIn'],
    ['SMS Opt-In', 'smsOptIn'],
    ['Do Not Contact', 'doNotContact'],
    ['Time Zone', 'timezone'],
    ['Landing Page URL', 'landingPage'],
    ['Referrer', 'referrer'],
    ['utm_medium', 'medium'],
    ['Contact owner', 'owner'],
    ['Description', 'notes'],
    ['Designation', 'title'],
    ['Vorname', 'firstName'],
    ['Nachname', 'lastName'],
    ['Correo electrónico', 'email'],
    ['Société', 'companyName'],
    ['Email (required)', 'email'],
    ['Contact First Name', 'firstName'],
  ])('%s → %s', (header, field) => {
    expect(autoMapHeaders([header])[0].field).toBe(field);
  });

  it('maps a HubSpot contacts export', () => {
    expect(
      fields([
        'Record ID',
        'First Name',
        'Last Name',
        'Email',
        'Phone Number',
        'Mobile Phone Number',
        'Contact owner',
        'Lead Status',
        'Lifecycle Stage',
        'Create Date',
        'Company Name',
        'Job Title',
        'Website URL',
        'City',
        'State/Region',
        'Country/Region',
        'Original Source',
        'Original Source Drill-Down 1',
        'Time Zone',
        'Unsubscribed from all email',
      ]),
    ).toEqual({
      'Record ID': 'custom.external_id',
      'First Name': 'firstName',
      'Last Name': 'lastName',
      Email: 'email',
      'Phone Number': 'phone',
      'Mobile Phone Number': null,
      'Contact owner': 'owner',
      'Lead Status': null,
      'Lifecycle Stage': 'stage',
      'Create Date': 'createdAt',
      'Company Name': 'companyName',
      'Job Title': 'title',
      'Website URL': 'website',
      City: 'city',
      'State/Region': 'region',
      'Country/Region': 'country',
      'Original Source': 'source',
      'Original Source Drill-Down 1': 'custom.original_source_drill_down_1',
      'Time Zone': 'timezone',
      'Unsubscribed from all email': 'unsubscribed',
    });
  });

  it('maps a Salesforce leads report (labels and API names)', () => {
    expect(
      fields([
        'Salutation',
        'First Name',
        'Last Name',
        'Title',
        'Company / Account',
        'Email',
        'Phone',
        'Mobile',
        'Lead Source',
        'Lead Status',
        'Zip/Postal Code',
        'No. of Employees',
        'Created Date',
        'Lead Owner',
      ]),
    ).toEqual({
      Salutation: 'custom.salutation',
      'First Name': 'firstName',
      'Last Name': 'lastName',
      Title: 'title',
      'Company / Account': 'companyName',
      Email: 'email',
      Phone: 'phone',
      Mobile: null,
      'Lead Source': 'source',
      'Lead Status': 'stage',
      'Zip/Postal Code': 'custom.postal_code',
      'No. of Employees': 'companySize',
      'Created Date': 'createdAt',
      'Lead Owner': 'owner',
    });
    expect(
      fields([
        'FirstName',
        'LastName',
        'Email',
        'MobilePhone',
        'Company',
        'LeadSource',
        'NumberOfEmployees',
        'CreatedDate',
        'DoNotCall',
      ]),
    ).toEqual({
      FirstName: 'firstName',
      LastName: 'lastName',
      Email: 'email',
      MobilePhone: 'phone',
      Company: 'companyName',
      LeadSource: 'source',
      NumberOfEmployees: 'companySize',
      CreatedDate: 'createdAt',
      DoNotCall: 'doNotContact',
    });
  });

  it('maps Pipedrive, Zoho, Mailchimp, Outlook and Google Contacts exports', () => {
    expect(
      fields([
        'Person - Name',
        'Person - Email - Work',
        'Person - Email - Home',
        'Person - Phone - Mobile',
        'Person - Organization',
        'Person - Label',
        'Person - Owner',
      ]),
    ).toEqual({
      'Person - Name': 'fullName',
      'Person - Email - Work': 'email',
      'Person - Email - Home': null,
      'Person - Phone - Mobile': 'phone',
      'Person - Organization': 'companyName',
      'Person - Label': 'tags',
      'Person - Owner': 'owner',
    });
    expect(
      fields([
        'Lead Owner',
        'Company',
        'First Name',
        'Last Name',
        'Designation',
        'Email',
        'Secondary Email',
        'Email Opt Out',
        'Created Time',
        'Tag',
      ]),
    ).toMatchObject({
      Designation: 'title',
      'Secondary Email': null,
      'Email Opt Out': 'unsubscribed',
      'Created Time': 'createdAt',
      Tag: 'tags',
    });
    expect(
      fields([
        'Email Address',
        'First Name',
        'Last Name',
        'Phone Number',
        'TAGS',
        'MEMBER_RATING',
        'OPTIN_TIME',
        'TIMEZONE',
        'CC',
        'REGION',
        'NOTES',
      ]),
    ).toMatchObject({
      'Email Address': 'email',
      TAGS: 'tags',
      MEMBER_RATING: 'custom.rating',
      OPTIN_TIME: 'createdAt',
      TIMEZONE: 'timezone',
      CC: 'country',
      REGION: 'region',
      NOTES: 'notes',
    });
    expect(
      fields([
        'First Name',
        'Middle Name',
        'Last Name',
        'Title',
        'Company',
        'Job Title',
        'Business Phone',
        'Mobile Phone',
        'E-mail Address',
        'E-mail Type',
        'E-mail 2 Address',
        'Web Page',
        'Categories',
        'Business Country/Region',
      ]),
    ).toEqual({
      'First Name': 'firstName',
      'Middle Name': 'custom.middle_name',
      'Last Name': 'lastName',
      Title: null, // Outlook's "Title" is Mr/Ms; "Job Title" wins
      Company: 'companyName',
      'Job Title': 'title',
      'Business Phone': 'phone',
      'Mobile Phone': null,
      'E-mail Address': 'email',
      'E-mail Type': 'custom.e_mail_type',
      'E-mail 2 Address': null,
      'Web Page': 'website',
      Categories: 'tags',
      'Business Country/Region': 'country',
    });
    expect(
      fields([
        'Name',
        'Given Name',
        'Family Name',
        'E-mail 1 - Type',
        'E-mail 1 - Value',
        'Phone 1 - Type',
        'Phone 1 - Value',
        'Organization 1 - Name',
        'Organization 1 - Title',
        'Group Membership',
      ]),
    ).toEqual({
      Name: 'fullName',
      'Given Name': 'firstName',
      'Family Name': 'lastName',
      'E-mail 1 - Type': 'custom.e_mail_1_type',
      'E-mail 1 - Value': 'email',
      'Phone 1 - Type': 'custom.phone_1_type',
      'Phone 1 - Value': 'phone',
      'Organization 1 - Name': 'companyName',
      'Organization 1 - Title': 'title',
      'Group Membership': 'tags',
    });
  });

  it('keeps the most confident column when several claim a field, the leftmost on a tie, and says why', () => {
    const mapping = autoMapHeaders(['Email 2', 'Email', 'E-mail']);
    expect(mapping.map((m) => m.field)).toEqual([null, 'email', null]);
    expect(mapping[0].reason).toBe('Also looks like email, which is already mapped from column "Email"');
    expect(mapping[2].reason).toMatch(/already mapped from column "Email"/);
  });

  it('proposes unknown columns as custom fields with unique keys, and ignores headerless columns', () => {
    const mapping = autoMapHeaders(['Email', 'Favourite Colour', 'Shoe Size', '', 'Shoe Size', '日本語']);
    expect(mapping.map((m) => [m.field, m.confidence])).toEqual([
      ['email', 1],
      ['custom.favourite_colour', 0.3],
      ['custom.shoe_size', 0.3],
      [null, 0],
      ['custom.shoe_size_2', 0.3],
      ['custom.column_6', 0.3],
    ]);
    expect(mapping[1].reason).toBe('Unknown column: proposed as custom field "favourite_colour"');
    expect(mapping[3].reason).toBe('The column has no header');
  });

  it('does not mistake email/phone metadata columns for the value', () => {
    expect(fields(['Email Bounce Reason', 'Email Verified', 'Phone Type', 'Email Domain'])).toEqual({
      'Email Bounce Reason': 'custom.email_bounce_reason',
      'Email Verified': 'custom.email_verified',
      'Phone Type': 'custom.phone_type',
      'Email Domain': 'custom.email_domain',
    });
  });

  it('gives every column its index', () => {
    expect(autoMapHeaders(['a', 'b', 'Email']).map((m) => m.index)).toEqual([0, 1, 2]);
    expect(customKeyFor('  Über-Größe (cm) ', 0)).toBe('uber_grosse_cm');
  });
});

describe('validateMapping', () => {
  const entry = (header: string, index: number, field: Mapping[number]['field']) => ({ header, index, field, confidence: 1 });

  it.each([
    [['email'], true],
    [['phone'], true],
    [['fullName', 'companyName'], true],
    [['firstName', 'lastName', 'companyName'], true],
    [['firstName', 'companyName'], false],
    [['firstName', 'lastName'], false],
    [['companyName', 'website'], false],
  ] as const)('identifying rule: %j → %s', (mapped, ok) => {
    const result = validateMapping(mapped.map((f, i) => entry(f, i, f)));
    expect(result.ok).toBe(ok);
    if (!ok) expect(result.errors).toContain(IDENTIFYING_RULE);
  });

  it('warns when there is no email column', () => {
    expect(validateMapping([entry('Phone', 0, 'phone')]).warnings[0]).toMatch(/duplicates within the file cannot be detected/);
  });

  it('refuses two columns on one field, unknown fields, bad custom keys and out-of-range columns', () => {
    const result = validateMapping(
      [
        entry('Email', 0, 'email'),
        entry('Mail', 1, 'email'),
        entry('X', 2, 'nickname' as never),
        entry('Y', 3, 'custom.Bad Key'),
        entry('Z', 9, 'notes'),
      ],
      { columnCount: 4 },
    );
    expect(result.ok).toBe(false);
    expect(result.errors).toEqual([
      'Columns "Email" and "Mail" are both mapped to email: keep one',
      'Column "X": "nickname" is not a lead field or a custom field (custom.<lower_case_key>)',
      'Column "Y": "custom.Bad Key" is not a lead field or a custom field (custom.<lower_case_key>)',
      'Column "Z": position 10 is not a column of the file',
    ]);
  });

  it('accepts what autoMapHeaders proposes for a usable file', () => {
    expect(validateMapping(autoMapHeaders(['Email', 'Email 2', 'Favourite Colour', '']))).toEqual({
      ok: true,
      errors: [],
      warnings: [],
    });
  });
});
