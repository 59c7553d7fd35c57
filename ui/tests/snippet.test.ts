import { describe, expect, it } from 'vitest';
import { snippetParts } from '../src/lib/snippet';

describe('snippetParts', () => {
  it('splits the words the core marked from the rest', () => {
    expect(snippetParts('they held me at [Almaty] station for [three] days')).toEqual([
      { text: 'they held me at ', marked: false },
      { text: 'Almaty', marked: true },
      { text: ' station for ', marked: false },
      { text: 'three', marked: true },
      { text: ' days', marked: false },
    ]);
  });

  it('keeps Cyrillic and marks at the edges', () => {
    expect(snippetParts('[ұстады] меня')).toEqual([
      { text: 'ұстады', marked: true },
      { text: ' меня', marked: false },
    ]);
  });

  it('leaves an unmatched bracket and markup as plain text', () => {
    expect(snippetParts('a [b')).toEqual([{ text: 'a [b', marked: false }]);
    expect(snippetParts('<img src=x onerror=alert(1)>')).toEqual([
      { text: '<img src=x onerror=alert(1)>', marked: false },
    ]);
    expect(snippetParts('')).toEqual([]);
  });
});
