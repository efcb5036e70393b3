/**
 * `dynasql types`: writes a TypeScript module of row interfaces from the org's catalog
 * (row-types.ts), to standard output or a file.
 *
 *   dynasql types --profile contoso -o src/dynamics-rows.ts
 *   dynasql types --demo --tables 'acc*'
 */
import { writeFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { likePattern } from './catalog-queries.js';
import { colorsFor } from './colors.js';
import { formatError } from './error-report.js';
import type { CliIo } from './main.js';
import { connectionStringFor, openConnection } from './open-connection.js';
import { rowTypesModule } from './row-types.js';

interface TypesFlags {
  connection?: string;
  profile?: string;
  demo?: boolean;
  output?: string;
  tables?: string;
  bigint?: boolean;
}

/** psql-style wildcards (`acc*`, `?`) as a test of table names, case-insensitive */
function tableTest(pattern: string): (name: string) => boolean {
  const like = likePattern(pattern);
  const regex = new RegExp(`^${like.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.')}$`, 'i');
  return (name) => regex.test(name);
}

export async function runTypes(argv: string[], io: CliIo): Promise<number> {
  const program = new Command('dynasql types')
    .description('Write a TypeScript module of row interfaces, one per table, from the org\'s metadata.')
    .option('-c, --connection <string>', 'connection string')
    .option('--profile <name>', 'a named connection from the config file')
    .option('--demo', 'the embedded emulator\'s tables')
    .option('-o, --output <file>', 'write the module to FILE (default: standard output)')
    .option('--tables <pattern>', 'only tables matching PATTERN (* and ? wildcards; text alone matches anywhere)')
    .option('--bigint', 'integers as bigint, for connections with Use BigInt=true')
    .addHelpText('after', '\nExample:\n  $ dynasql types --profile contoso -o src/dynamics-rows.ts\n  then: conn.query<Account>(\'SELECT name FROM account\')\n')
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: (t) => void io.stdout.write(t), writeErr: (t) => void io.stderr.write(t) });
  let flags: TypesFlags;
  try {
    flags = program.parse(argv, { from: 'user' }).opts<TypesFlags>();
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
  const colors = colorsFor(io.stderr, io.env);
  let opened: Awaited<ReturnType<typeof openConnection>> | undefined;
  try {
    opened = await openConnection(connectionStringFor(flags, io.env));
    const catalog = await opened.conn.catalog();
    const wanted = flags.tables ? tableTest(flags.tables) : () => true;
    const tables = catalog.tables.filter((t) => wanted(t.name) || wanted(t.entitySetName));
    const text = rowTypesModule(catalog, { useBigInt: flags.bigint === true }, tables);
    if (flags.output) {
      writeFileSync(flags.output, text);
      io.stderr.write(`dynasql types: wrote ${tables.length} row types to ${flags.output}\n`);
    } else {
      io.stdout.write(text);
    }
    return 0;
  } catch (error) {
    io.stderr.write(formatError(error, colors));
    return 1;
  } finally {
    await opened?.close();
  }
}
