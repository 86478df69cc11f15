import type { Catalogue } from '../catalogue-type.ts';
import { en } from './en.ts';

export const de: Catalogue = { ...en };
