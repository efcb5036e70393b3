/** Every Dataverse fixture statement end to end against the emulator, push-down on and off (fixtures-e2e.ts). */
import { describeFixturesEndToEnd } from './fixtures-e2e.js';

describeFixturesEndToEnd('dataverse');
