import { expect } from 'vitest';

// Vitest types its asymmetric matchers as `any`, which the typed lint rules refuse inside an expected object. These
// are the same matchers, typed as the value each one stands for.

export const anyString = (): string => expect.any(String) as string;
export const anyNumber = (): number => expect.any(Number) as number;
export const anything = (): unknown => expect.anything() as unknown;
export const stringMatching = (pattern: string | RegExp): string => expect.stringMatching(pattern) as string;
export const stringContaining = (text: string): string => expect.stringContaining(text) as string;
