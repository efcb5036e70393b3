/** Every F&O fixture statement end to end against the emulator in F&O mode, push-down on and off (fixtures-e2e.ts). */
import { describeFixturesEndToEnd } from './fixtures-e2e.js';

describeFixturesEndToEnd('finops');
