import { functionConfig, setting } from '#platform/config.ts';
import { eventPublisher } from '#platform/outbound/publisher.ts';
import { hubQuarantine } from '#platform/quarantine-events.ts';
import { customerLinker } from '#platform/customer-index.ts';
import { dynamoContactTable, dynamoResultTable } from './store.ts';

/**
 * The Rungopher stores' configuration and adapters: what the processor needs, apart from the poller's
 * and the campaign functions' (`wiring.ts`, which re-exports these), so the processor's bundle loads
 * neither the vendor client nor the campaign schemas (`npm run bench -- cold`).
 */

/** The results and contact-view tables: the processor, the poller and the operator API. */
export const storeConfig = functionConfig({ results: setting.table('rungopher-results'), contacts: setting.table('rungopher-contacts') });

/** The two store ports over {@link storeConfig}. */
export function storePorts() {
  const { results, contacts } = storeConfig();
  return { results: dynamoResultTable(results), contacts: dynamoContactTable(contacts), link: linker };
}

/** The customer index, for the functions that store customer data (the processor, the poller, the uploader). */
export const linker = customerLinker();

/** The quarantine table, for those that put bodies there. */
export const quarantineConfig = functionConfig({ table: setting.table('quarantine') });
export const quarantineStore = () => hubQuarantine(quarantineConfig().table);

/** What the processor stores with: the tables, the event bus, the quarantine. */
export const processorPorts = () => ({ ...storePorts(), events: eventPublisher(), quarantine: quarantineStore() });
