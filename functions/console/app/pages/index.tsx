import type { ComponentChildren } from 'preact';
import { Inbox, Thread } from './goodays.tsx';
import { Quarantine, QuarantineItem, Queues, Status, Streams } from './hub.tsx';
import { NetcoreUser, NetcoreUsers } from './netcore.tsx';
import { Campaign, Campaigns, Contact, Results, UploadJob } from './rungopher.tsx';

/** A page: the hash paths it answers (`#/goodays/{id}`) and what it draws. */
export interface PageDecl {
  readonly pattern: RegExp;
  readonly title: string;
  /** In the navigation, under this label. */
  readonly nav?: string;
  readonly href?: string;
  render(params: string[]): ComponentChildren;
}

const dec = (v: string | undefined): string => decodeURIComponent(v ?? '');

/** Every page of the console; the first is the start page. */
export const pages: readonly PageDecl[] = [
  { pattern: /^\/inbox$/, title: 'Inbox', nav: 'Inbox', href: '#/inbox', render: () => <Inbox /> },
  { pattern: /^\/goodays\/([^/]+)$/, title: 'Response', render: ([id]) => <Thread id={dec(id)} /> },
  { pattern: /^\/rungopher$/, title: 'Rungopher', nav: 'Rungopher', href: '#/rungopher', render: () => <Campaigns /> },
  { pattern: /^\/rungopher\/results$/, title: 'Rungopher results', nav: 'Results', href: '#/rungopher/results', render: () => <Results /> },
  { pattern: /^\/rungopher\/campaigns\/([^/]+)$/, title: 'Campaign', render: ([id]) => <Campaign id={dec(id)} /> },
  { pattern: /^\/rungopher\/contacts\/([^/]+)\/([^/]+)$/, title: 'Contact', render: ([c, id]) => <Contact campaignId={dec(c)} contactId={dec(id)} /> },
  { pattern: /^\/rungopher\/uploads\/([^/]+)$/, title: 'Upload job', render: ([id]) => <UploadJob id={dec(id)} /> },
  { pattern: /^\/netcore$/, title: 'Netcore users', nav: 'Netcore', href: '#/netcore', render: () => <NetcoreUsers /> },
  { pattern: /^\/netcore\/users\/([^/]+)$/, title: 'Netcore user', render: ([id]) => <NetcoreUser id={dec(id)} /> },
  { pattern: /^\/hub$/, title: 'Hub status', nav: 'Status', href: '#/hub', render: () => <Status /> },
  { pattern: /^\/hub\/quarantine$/, title: 'Quarantine', nav: 'Quarantine', href: '#/hub/quarantine', render: () => <Quarantine /> },
  { pattern: /^\/hub\/quarantine\/([^/]+)$/, title: 'Quarantined body', render: ([id]) => <QuarantineItem id={dec(id)} /> },
  { pattern: /^\/hub\/queues$/, title: 'Queues', nav: 'DLQs', href: '#/hub/queues', render: () => <Queues /> },
  { pattern: /^\/hub\/streams$/, title: 'Poller streams', nav: 'Streams', href: '#/hub/streams', render: () => <Streams /> },
];
