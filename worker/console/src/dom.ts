// A tiny element builder: the console's only "framework" (see main.ts for why there is none).
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | EventListener | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.replace(/^on/, ""), value);
    // Through the CSSOM: the page's policy refuses style attributes (docs/trust.md, "Headers").
    else if (name === "style") element.style.cssText = String(value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from index.html`);
  return element as T;
}

export const clear = (element: HTMLElement): void => element.replaceChildren();

/**
 * Re-renders `container` keeping the keyboard's place: the focused control inside it is found again
 * by id after the render (a re-render otherwise drops the focus to <body>).
 */
export function keepFocus(container: HTMLElement, render: () => void): void {
  const active = document.activeElement;
  const id = active instanceof HTMLElement && container.contains(active) ? active.id : "";
  render();
  if (id) document.getElementById(id)?.focus();
}
