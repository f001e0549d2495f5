/**
 * Control and other non-printing characters (C0, DEL, C1, format characters
 * such as bidi overrides and zero-width spaces, line and paragraph separators,
 * private-use code points, lone surrogates). A service could otherwise move
 * the cursor, recolour or rewrite what the terminal shows.
 */
const NON_PRINTING = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}]/gu;
/** Spaces other than U+0020 (no-break, ideographic...) look like one but are not. */
const OTHER_SPACES = /(?! )\p{Zs}/gu;

/** Text a service sent, made safe to print: non-printing characters removed, other spaces made plain. */
export function printable(text: string): string {
  return text.replace(NON_PRINTING, '').replace(OTHER_SPACES, ' ');
}
