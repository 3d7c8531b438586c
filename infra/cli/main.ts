import { Command, CommanderError } from 'commander';
import { CliError, UsageError } from './hub-client.ts';
import { addCommonOptions } from './output.ts';

/**
 * The `switchboard` CLI. Each vendor registers its own commands; a vendor's module (and what it
 * needs: zod, phone numbers, CSV) is loaded only when its command is run, so `--version`, `--help`
 * and the hub's own commands start fast. Exit codes: 0 ok, 1 failed, 2 usage. A closed pipe
 * (`| head`) ends the command quietly.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Set by the bundle build; read from package.json when run from source. */
declare const SWITCHBOARD_VERSION: string | undefined;

type Register = (program: Command) => unknown;
interface LazyCommands {
  readonly name: string;
  readonly description: string;
  readonly load: () => Promise<Register>;
}
const lazy = (name: string, description: string, load: () => Promise<Register>): LazyCommands => ({ name, description, load });

const rungopher = lazy('rungopher', 'Rungopher campaigns, contacts, journeys and SMS cost', async () => (await import('./rungopher.ts')).registerRungopherCommands);
const goodays = lazy('goodays', 'Goodays Converse: samples, signatures, test webhooks', async () => (await import('./goodays.ts')).registerGoodaysCommands);
const netcore = lazy('netcore', 'Netcore Bot Open API: sync, usage, users and transcripts', async () => (await import('./netcore.ts')).registerNetcoreCommands);
const subscriptions = lazy('subscriptions', 'Outbound webhook subscriptions: delivery state and DLQ redrive', async () => (await import('./subscriptions.ts')).registerSubscriptionCommands);
/** Each vendor's `switchboard <vendor> ...` commands, one entry per vendor. */
const vendorCommands: readonly LazyCommands[] = [rungopher, goodays, netcore];
/** Commands over the whole hub that need more than the hub client, loaded the same way. */
const customer = lazy('customer', 'One customer across vendors: timeline, export, erasure, backfill', async () => (await import('./customers.ts')).registerCustomerCommands);
const lazyCommands: readonly LazyCommands[] = [...vendorCommands, subscriptions, customer];

function version(): string {
  if (typeof SWITCHBOARD_VERSION === 'string') return SWITCHBOARD_VERSION;
  return 'source';
}

/** Ends quietly when the reader of stdout or stderr went away (`switchboard ... | head`). */
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('switchboard')
    .description('Switchboard integration hub')
    .version(version(), '-V, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride();
  program
    .command('start')
    .description('Run the whole hub on this machine (same as npm start)')
    .action(async () => {
      // The hub loads the functions from their TypeScript sources, as `npm start` does.
      const { register } = await import('tsx/esm/api');
      register();
      const root = new URL(import.meta.url.includes('/infra/cli/dist/') ? '../../../' : '../../', import.meta.url);
      await import(new URL('infra/local/main.ts', root).href);
    });
  program
    .command('node-version')
    .description('Print the Node.js version the CLI runs on (the pinned Lambda runtime major)')
    .action(() => console.log(process.version));
  const { registerLocalHubCommands } = await import('./local-hub.ts');
  registerLocalHubCommands(program);
  const asked = argv.slice(2).find((a) => !a.startsWith('-'));
  const stubs: Command[] = [];
  for (const v of lazyCommands) {
    if (v.name === asked) (await v.load())(program);
    // Only its name and description, for the help, when another command is run.
    else stubs.push(program.command(v.name).description(v.description));
  }
  addCommonOptions(program, stubs);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    process.stderr.write(`switchboard: ${err instanceof Error ? err.message : String(err)}\n`);
    if (err instanceof UsageError) return 2;
    if (!(err instanceof CliError) && process.env.SWITCHBOARD_DEBUG) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv);
