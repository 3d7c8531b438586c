import { Command } from 'commander';
import { registerCustomerCommands } from './customers.ts';
import { registerLocalHubCommands } from './local-hub.ts';
import { registerGoodaysCommands } from './goodays.ts';
import { registerNetcoreCommands } from './netcore.ts';
import { registerRungopherCommands } from './rungopher.ts';

/** The `switchboard` CLI. Each vendor registers its own commands. */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const program = new Command('switchboard').description('Switchboard integration hub').showHelpAfterError();
program
  .command('start')
  .description('Run the whole hub on this machine (same as npm start)')
  .action(async () => {
    await import('#infra/local/main.ts');
  });
program
  .command('node-version')
  .description('Print the Node.js version the CLI runs on (the pinned Lambda runtime major)')
  .action(() => console.log(process.version));
registerLocalHubCommands(program);
registerCustomerCommands(program);
/** Each vendor's `switchboard <vendor> ...` commands, one line per vendor. */
const vendorCommands: ((program: Command) => unknown)[] = [
  registerRungopherCommands,
  registerGoodaysCommands,
  registerNetcoreCommands,
];
for (const register of vendorCommands) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  console.error(`switchboard: ${(err as Error).message}`);
  process.exitCode = 1;
}
