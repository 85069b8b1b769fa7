import { z } from 'zod';
import { fileOptionFields } from '../files/options';

export const jsonOptions = z.strictObject({ ...fileOptionFields });

export type JsonOptions = z.output<typeof jsonOptions>;
