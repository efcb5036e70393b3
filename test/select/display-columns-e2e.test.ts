/**
 * Issue 18: filters on choice labels, lookup names and lookup types end to end against the Dataverse
 * emulator, push-down on and off (fixtures-e2e.ts): the requests of display-columns.fixtures, the
 * same rows either way. The labels and primary names come from the emulator's metadata API.
 */
import { describeFixturesEndToEnd } from './fixtures-e2e.js';

describeFixturesEndToEnd('dataverse', 'display-columns.fixtures');
