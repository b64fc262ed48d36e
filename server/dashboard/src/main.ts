/**
 * The dashboard page: routing between the runs list, one run and the overview; one
 * event stream for all of the caller's runs with a visible connection state; the API
 * key dialog. Served by `dashboard()` (server/dashboard/middleware.ts).
 */
import type { RunEvent, StreamStatus } from '../../../client/index.ts';
import { Api, ApiError, describeError } from './api.ts';
import { openDialog } from './dialog.ts';
import type { FeedbackSender } from './decisions-view.ts';
import { h, mount } from './dom.ts';
import type { WorkflowInfo } from './graph-view.ts';
import { HomeView } from './home-view.ts';
import { OverviewView } from './overview-view.ts';
import { RunView } from './run-view.ts';

interface View {
  el: HTMLElement;
  load(): Promise<void>;
  onEvent?(e: RunEvent): void;
  resync?(): Promise<void>;
  dispose?(): void;
}

const api = new Api();
const main = document.getElementById('main')!;
const connection = document.getElementById('connection')!;
const keyButton = document.getElementById('api-key-button') as HTMLButtonElement;
let workflows = new Map<string, WorkflowInfo>();
let view: View | undefined;
let stream: ReturnType<typeof api.client.events> | undefined;
let reconnects = 0;

function showConnection(state: StreamStatus | 'unauthenticated'): void {
  connection.dataset.state = state;
  connection.dataset.reconnects = String(reconnects);
  const text: Record<typeof state, string> = {
    connecting: 'Connecting…',
    open: reconnects ? `Live · reconnected ${reconnects}×` : 'Live',
    reconnecting: 'Connection lost · reconnecting…',
    closed: 'Disconnected',
    unauthenticated: 'Not signed in',
  };
  connection.querySelector('.text')!.textContent = text[state];
}

function connect(): void {
  stream?.close();
  let opened = false;
  stream = api.client.events('all', {
    onEvent: (e) => view?.onEvent?.(e),
    onStatus: (st) => {
      if (st === 'open') {
        if (opened) {
          reconnects += 1;
          void view?.resync?.();
        }
        opened = true;
      }
      showConnection(st);
    },
  });
}

/** Feedback on a run's decisions through the server's feedback endpoint, or why there is none. */
async function feedbackSender(runId: string): Promise<FeedbackSender | string> {
  const ep = (await api.capabilities()).feedback;
  if (!ep) return 'This server has no decision feedback endpoint.';
  return {
    send: async (d, verdict, preferred, reason) => {
      await api.post(ep.path, { sessionId: runId, runId, decisionId: d.id, id: d.id }, { verdict, ...(preferred ? { preferred } : {}), ...(reason ? { reason } : {}) });
    },
  };
}

async function route(): Promise<void> {
  view?.dispose?.();
  const hash = location.hash || '#/';
  const run = /^#\/runs\/([0-9a-f-]{36})$/.exec(hash);
  for (const a of Array.from(document.querySelectorAll<HTMLAnchorElement>('nav a'))) {
    a.setAttribute('aria-current', String((a.getAttribute('href') === '#/overview') === (hash === '#/overview') && !run));
  }
  if (run) view = new RunView(api, run[1]!, workflows, await feedbackSender(run[1]!));
  else if (hash === '#/overview') view = new OverviewView(api);
  else view = new HomeView(api, workflows, (to) => (location.hash = to));
  mount(main, view.el);
  try {
    await view.load();
  } catch (e) {
    if (isAuthError(e)) return askForKey();
    main.append(h('p', { class: 'banner bad', role: 'alert' }, `Could not load: ${describeError(e)}`));
  }
  document.body.dataset.ready = 'true';
}

const isAuthError = (e: unknown) => e instanceof ApiError && (e.status === 401 || e.status === 403);

function askForKey(message = 'This server needs an API key.'): void {
  showConnection('unauthenticated');
  stream?.close();
  const d = openDialog('API key', (close) => {
    const input = h('input', { id: 'api-key-input', type: 'password', autocomplete: 'off', value: api.apiKey ?? '', autofocus: true });
    const form = h('form', {},
      h('p', {}, message, ' The key is kept in this browser (localStorage) and sent as a bearer token.'),
      h('div', { class: 'field' }, h('label', { for: 'api-key-input' }, 'API key'), input),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary' }, 'Save key'),
        h('button', { type: 'button', onclick: () => (api.setApiKey(undefined), close()) }, 'Forget key')),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      api.setApiKey(input.value);
      close();
    });
    return [form];
  });
  void d.closed.then(() => start());
}

async function start(): Promise<void> {
  try {
    workflows = new Map((await api.client.workflows()).workflows.map((w) => [w.id, w]));
  } catch (e) {
    if (isAuthError(e)) return askForKey(api.apiKey ? 'The stored API key was not accepted.' : 'This server needs an API key.');
    mount(main, h('p', { class: 'banner bad', role: 'alert' }, `The server did not answer: ${describeError(e)}`));
    return;
  }
  connect();
  await route();
}

keyButton.addEventListener('click', () => askForKey('Set the API key for this server.'));
window.addEventListener('hashchange', () => void route());
showConnection('connecting');
void start();
