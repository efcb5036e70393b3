/**
 * The emulator's default $metadata: a cut of a real Dynamics CRM 2016 org's document, made by
 * scripts/extract-emulator-metadata.mjs. It is a data file beside this module (the build copies it
 * into dist/), read once when the emulator loads, so the text exists once in the package and not in
 * the compiled code or its type declarations.
 */
import { readFileSync } from 'node:fs';

export const DATAVERSE_EDMX: string = readFileSync(new URL('./dataverse-edmx.xml', import.meta.url), 'utf8');
