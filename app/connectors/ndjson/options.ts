import { z } from 'zod';
import { fileOptionFields } from '../files/options';

export const ndjsonOptions = z.strictObject({ ...fileOptionFields });

export type NdjsonOptions = z.output<typeof ndjsonOptions>;
