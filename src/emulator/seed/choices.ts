/**
 * Labels of the choice (option set) columns the seed fills, as a default en-US org shows them; the
 * EDMX carries no labels, so FormattedValue comes from here. `choiceLabels.account.industrycode[1]`
 * → 'Accounting'. Columns not listed format as their number.
 */
export type ChoiceLabels = Record<string, Record<string, Record<number, string>>>;

const ACTIVE = { statecode: { 0: 'Active', 1: 'Inactive' }, statuscode: { 1: 'Active', 2: 'Inactive' } };
const ACTIVITY = {
  statecode: { 0: 'Open', 1: 'Completed', 2: 'Canceled', 3: 'Scheduled' },
  statuscode: { 1: 'Open', 2: 'Not Started', 3: 'In Progress', 4: 'Waiting on someone else', 5: 'Completed', 6: 'Canceled', 7: 'Deferred' },
  prioritycode: { 0: 'Low', 1: 'Normal', 2: 'High' },
};

export const choiceLabels: ChoiceLabels = {
  account: {
    ...ACTIVE,
    industrycode: { 1: 'Accounting', 2: 'Agriculture and Non-petrol Natural Resource Extraction', 3: 'Broadcasting Printing and Publishing', 4: 'Brokers',
      5: 'Building Supply Retail', 6: 'Business Services', 7: 'Consulting', 8: 'Consumer Services', 9: 'Design, Direction and Creative Management',
      10: 'Distributors, Dispatchers and Processors', 11: "Doctor's Offices and Clinics", 12: 'Durable Manufacturing', 13: 'Eating and Drinking Places' },
    accountcategorycode: { 1: 'Preferred Customer', 2: 'Standard' },
    customertypecode: { 1: 'Competitor', 2: 'Consultant', 3: 'Customer', 4: 'Investor', 5: 'Partner', 6: 'Influencer', 7: 'Press', 8: 'Prospect',
      9: 'Reseller', 10: 'Supplier', 11: 'Vendor', 12: 'Other' },
    ownershipcode: { 1: 'Public', 2: 'Private', 3: 'Subsidiary', 4: 'Other' },
  },
  contact: {
    ...ACTIVE,
    gendercode: { 1: 'Male', 2: 'Female' },
    familystatuscode: { 1: 'Single', 2: 'Married', 3: 'Divorced', 4: 'Widowed' },
    preferredcontactmethodcode: { 1: 'Any', 2: 'Email', 3: 'Phone', 4: 'Fax', 5: 'Mail' },
  },
  lead: {
    statecode: { 0: 'Open', 1: 'Qualified', 2: 'Disqualified' },
    statuscode: { 1: 'New', 2: 'Contacted', 3: 'Qualified', 4: 'Lost', 5: 'Cannot Contact', 6: 'No Longer Interested', 7: 'Canceled' },
    leadsourcecode: { 1: 'Advertisement', 2: 'Employee Referral', 3: 'External Referral', 4: 'Partner', 5: 'Public Relations', 6: 'Seminar',
      7: 'Trade Show', 8: 'Web', 9: 'Word of Mouth', 10: 'Other' },
    leadqualitycode: { 1: 'Hot', 2: 'Warm', 3: 'Cold' },
  },
  opportunity: {
    statecode: { 0: 'Open', 1: 'Won', 2: 'Lost' },
    statuscode: { 1: 'In Progress', 2: 'On Hold', 3: 'Won', 4: 'Canceled', 5: 'Out-Sold' },
    opportunityratingcode: { 1: 'Hot', 2: 'Warm', 3: 'Cold' },
    prioritycode: { 1: 'Default Value' },
  },
  incident: {
    statecode: { 0: 'Active', 1: 'Resolved', 2: 'Canceled' },
    statuscode: { 1: 'In Progress', 2: 'On Hold', 3: 'Waiting for Details', 4: 'Researching', 5: 'Problem Solved', 6: 'Cancelled' },
    prioritycode: { 1: 'High', 2: 'Normal', 3: 'Low' },
    casetypecode: { 1: 'Question', 2: 'Problem', 3: 'Request' },
    caseorigincode: { 1: 'Phone', 2: 'Email', 3: 'Web' },
  },
  salesorder: {
    statecode: { 0: 'Active', 1: 'Submitted', 2: 'Canceled', 3: 'Fulfilled', 4: 'Invoiced' },
    statuscode: { 1: 'New', 2: 'Pending', 3: 'In Progress', 4: 'No Money', 100001: 'Complete', 100002: 'Partial', 100003: 'Invoiced' },
    prioritycode: { 1: 'Default Value' },
  },
  quote: { statecode: { 0: 'Draft', 1: 'Active', 2: 'Won', 3: 'Closed' }, statuscode: { 1: 'In Progress', 2: 'In Progress', 3: 'Open', 4: 'Won' } },
  invoice: { statecode: { 0: 'Active', 1: 'Closed (deprecated)', 2: 'Paid', 3: 'Canceled' }, statuscode: { 1: 'New', 2: 'Partially Shipped', 100001: 'Complete', 100002: 'Partial' } },
  task: ACTIVITY,
  phonecall: { ...ACTIVITY, statuscode: { 1: 'Open', 2: 'Made', 3: 'Canceled', 4: 'Received' } },
  email: { ...ACTIVITY, statuscode: { 1: 'Draft', 2: 'Completed', 3: 'Sent', 4: 'Received', 5: 'Canceled' } },
  appointment: { ...ACTIVITY, statuscode: { 1: 'Free', 2: 'Tentative', 3: 'Completed', 4: 'Canceled', 5: 'Busy' } },
  systemuser: { accessmode: { 0: 'Read-Write', 1: 'Administrative', 2: 'Read', 3: 'Support User', 4: 'Non-interactive' } },
  team: { teamtype: { 0: 'Owner', 1: 'Access' } },
  product: { ...ACTIVE, productstructure: { 1: 'Product', 2: 'Product Family', 3: 'Product Bundle' } },
  transactioncurrency: ACTIVE,
  businessunit: {},
  pricelevel: ACTIVE,
};

/**
 * Multi-select choices, whose value reads as the chosen options' numbers, "1,9", and whose
 * FormattedValue is their labels, "Swimming; Camping" (multi-select doc). The built-in schema (a 2016
 * org's) has none; the docs' example column is one when a custom EDMX declares it on contact.
 */
export const multiSelectLabels: ChoiceLabels = {
  contact: {
    sample_outdooractivities: { 1: 'Swimming', 2: 'Hiking', 3: 'Mountain Climbing', 4: 'Fishing', 5: 'Hunting', 6: 'Running', 7: 'Boating', 8: 'Skiing', 9: 'Camping' },
  },
};

/**
 * Maximum lengths of string columns as a default org defines them (the EDMX omits MaxLength), so
 * writes fail with 0x80044331 like the service. e.g. task.subject 200 (protocol §4 $batch example).
 */
export const maxLengths: Record<string, Record<string, number>> = {
  account: { name: 160, accountnumber: 20, telephone1: 50, emailaddress1: 100, websiteurl: 200, address1_city: 80, description: 2000 },
  contact: { firstname: 50, lastname: 50, fullname: 160, emailaddress1: 100, jobtitle: 100, telephone1: 50 },
  lead: { subject: 300, firstname: 50, lastname: 50, companyname: 100, emailaddress1: 100 },
  opportunity: { name: 300 },
  incident: { title: 200, ticketnumber: 100 },
  task: { subject: 200 },
  phonecall: { subject: 200 },
  email: { subject: 800 },
  appointment: { subject: 200 },
  annotation: { subject: 500, filename: 255 },
  salesorder: { name: 300, ordernumber: 100 },
  quote: { name: 300 },
  invoice: { name: 300 },
  product: { name: 100, productnumber: 100 },
  systemuser: { firstname: 64, lastname: 64, fullname: 200 },
  team: { name: 160 },
};
