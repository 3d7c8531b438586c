import type { ComponentChildren } from 'preact';

/** A page: the hash paths it answers (`#/goodays/{id}`) and what it draws. */
export interface PageDecl {
  readonly pattern: RegExp;
  readonly title: string;
  /** In the navigation, under this label. */
  readonly nav?: string;
  readonly href?: string;
  /** A cheap GET this page makes, used to check a token at sign-in (the start page's). */
  readonly probe?: string;
  render(params: string[]): ComponentChildren;
}

export const dec = (v: string | undefined): string => decodeURIComponent(v ?? '');
