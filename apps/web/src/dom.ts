type Child = Node | string | false | null | undefined;
type Listeners = Record<string, (event: Event) => void>;
/** HTML attributes, and `on`: the element's event listeners. */
type Attributes = { on?: Listeners } & Record<string, string | boolean | undefined | Listeners>;

/** An element with attributes (false or undefined: left out), listeners and children. Text is always text, never HTML. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  const { on, ...rest } = attributes;
  for (const [name, value] of Object.entries(rest)) {
    if (value === undefined || value === false || typeof value === 'object') continue;
    element.setAttribute(name, value === true ? '' : value);
  }
  for (const [event, listener] of Object.entries(on ?? {})) element.addEventListener(event, listener);
  for (const child of children) if (child !== false && child !== null && child !== undefined) element.append(child);
  return element;
}

let fieldCount = 0;

/** A labelled input: the label names it for every reader. */
export function field(
  label: string,
  input: Partial<{
    name: string;
    type: string;
    autocomplete: string;
    required: boolean;
    minlength: string;
    hint: string;
  }>,
): HTMLElement {
  const id = `field-${++fieldCount}`;
  const hintId = input.hint ? `${id}-hint` : undefined;
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h('input', {
      id,
      name: input.name,
      type: input.type ?? 'text',
      autocomplete: input.autocomplete,
      required: input.required ?? true,
      minlength: input.minlength,
      'aria-describedby': hintId,
    }),
    input.hint && h('p', { id: hintId, class: 'hint' }, input.hint),
  );
}

/** The named inputs of a form, as strings. */
export function valuesOf(form: HTMLFormElement): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of new FormData(form)) if (typeof value === 'string') values[name] = value;
  return values;
}

/** What is typed in the page's fields, by form and name; never a password. */
export function draftsOf(root: HTMLElement): Map<string, string> {
  const drafts = new Map<string, string>();
  for (const input of root.querySelectorAll<HTMLInputElement>('form input[name]')) {
    if (input.type !== 'password') drafts.set(draftKey(input), input.value);
  }
  return drafts;
}

/** Puts typed values back into the fields of the same forms (a redrawn page). */
export function restoreDrafts(root: HTMLElement, drafts: Map<string, string>): void {
  for (const input of root.querySelectorAll<HTMLInputElement>('form input[name]')) {
    const value = drafts.get(draftKey(input));
    if (value !== undefined) input.value = value;
  }
}

const draftKey = (input: HTMLInputElement) => `${input.form?.getAttribute('aria-labelledby')}/${input.name}`;
