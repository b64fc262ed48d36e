/**
 * A modal dialog that is usable from the keyboard: the native `<dialog>` (the rest of
 * the page is inert, Escape closes it), Tab and Shift+Tab cycle inside it, focus goes
 * to its first control (or the one marked `autofocus`) and returns to the element
 * that had it when the dialog closes.
 */
import { h } from './dom.ts';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

export interface DialogHandle {
  el: HTMLDialogElement;
  close(): void;
  /** Resolves when the dialog has closed (by a button, Escape or `close()`). */
  closed: Promise<void>;
}

let count = 0;

export function focusables(root: Element): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((el) => !el.closest('[hidden]') && el.getClientRects().length > 0 && !el.closest('details:not([open]) > :not(summary)'));
}

/** Opens a modal dialog titled `title` with the nodes `body(close)` returns. */
export function openDialog(title: string, body: (close: () => void) => Node[], options: { className?: string } = {}): DialogHandle {
  const id = `dialog-${++count}`;
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const el = h('dialog', { class: `dialog ${options.className ?? ''}`, 'aria-labelledby': `${id}-title` });
  const close = () => el.open && el.close();
  el.append(
    h('header', {},
      h('h2', { id: `${id}-title` }, title),
      h('button', { type: 'button', class: 'icon', 'aria-label': 'Close dialog', onclick: close }, '×'),
    ),
    h('div', { class: 'dialog-body' }, ...body(close)),
  );
  el.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Tab') return;
    const items = focusables(el);
    if (items.length === 0) return;
    const first = items[0]!;
    const last = items[items.length - 1]!;
    const at = document.activeElement;
    if (ev.shiftKey && (at === first || !el.contains(at))) {
      ev.preventDefault();
      last.focus();
    } else if (!ev.shiftKey && (at === last || !el.contains(at))) {
      ev.preventDefault();
      first.focus();
    }
  });
  const closed = new Promise<void>((resolve) => {
    el.addEventListener('close', () => {
      el.remove();
      if (opener?.isConnected) opener.focus();
      resolve();
    }, { once: true });
  });
  document.body.append(el);
  el.showModal();
  const initial = el.querySelector<HTMLElement>('[autofocus]') ?? focusables(el.querySelector('.dialog-body')!)[0];
  initial?.focus();
  return { el, close, closed };
}

/** Asks a yes/no question; resolves true when confirmed. */
export async function confirmDialog(title: string, text: string, confirmLabel: string): Promise<boolean> {
  let ok = false;
  const d = openDialog(title, (close) => [
    h('p', {}, text),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'primary', autofocus: true, onclick: () => ((ok = true), close()) }, confirmLabel),
      h('button', { type: 'button', onclick: close }, 'Cancel'),
    ),
  ]);
  await d.closed;
  return ok;
}
