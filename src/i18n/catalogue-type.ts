// The shape every catalogue has: English's keys, each a message.
import type { en } from './messages/en.ts';

export type MessageKey = keyof typeof en;
export type Catalogue = Record<MessageKey, string>;
