import { describeFixturesEndToEnd } from '../select/fixtures-e2e.js';

// the FetchXML fixtures planned with Remote Language=Auto, end to end: exactly their requests, and the rows of push-down off
describeFixturesEndToEnd('dataverse', 'fetchxml.fixtures', 'Auto');
