import { expect, it } from '@jest/globals';
import { placeholder } from '../src/index';
it('loads', () => expect(placeholder).toBe(1));
