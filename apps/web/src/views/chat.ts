import type { ChatMessage } from '@parley/contracts/browser';
import { h, replace } from '../dom';
import { fmtTime } from '../format';

/**
 * The transcript: messages merged by seq and deduplicated by id, so history on join, a sync after a
 * reconnect and live events can overlap freely and each message still shows exactly once.
 */
export class ChatLog {
  readonly el: HTMLOListElement;
  lastSeq = 0;
  private readonly byId = new Map<string, ChatMessage>();
  private readonly empty: HTMLElement;

  constructor(
    private readonly me: string,
    private readonly nameOf: (user: string) => string,
    private readonly onMine: (clientMessageId: string) => void,
  ) {
    // a list (so a screen reader counts and steps through the messages) that announces new ones;
    // role="log" would replace the list role and leave its items outside any list (WCAG 1.3.1)
    this.el = h('ol', {
      class: 'chat-log',
      'aria-live': 'polite',
      'aria-relevant': 'additions',
      'aria-label': 'Conversation',
      tabindex: '0',
    });
    this.empty = h('li', { class: 'chat-empty muted' }, 'No messages yet. Say hello and make your case.');
    this.el.append(this.empty);
  }

  /** Adds messages; returns how many were new. */
  merge(messages: ChatMessage[]): number {
    const atBottom = this.isNearBottom();
    let added = 0;
    let mineAdded = false;
    for (const m of [...messages].sort((a, b) => a.seq - b.seq)) {
      if (!m || typeof m.id !== 'string' || this.byId.has(m.id)) continue;
      this.byId.set(m.id, m);
      this.lastSeq = Math.max(this.lastSeq, m.seq);
      this.insert(this.render(m), m.seq);
      if (m.sender === this.me) {
        mineAdded = true;
        if (m.client_message_id) this.onMine(m.client_message_id);
      }
      added += 1;
    }
    if (added) {
      this.empty.remove();
      if (atBottom || mineAdded) this.scrollToBottom();
    }
    return added;
  }

  scrollToBottom(): void {
    this.el.scrollTop = this.el.scrollHeight;
  }

  private isNearBottom(): boolean {
    return this.el.scrollHeight - this.el.scrollTop - this.el.clientHeight < 80;
  }

  /** Keeps the list in seq order: most messages arrive in order, so search from the end. */
  private insert(li: HTMLElement, seq: number): void {
    let before: Element | null = null;
    for (let node = this.el.lastElementChild; node; node = node.previousElementSibling) {
      const s = Number((node as HTMLElement).dataset.seq);
      if (!Number.isFinite(s) || s <= seq) break;
      before = node;
    }
    this.el.insertBefore(li, before);
  }

  private render(m: ChatMessage): HTMLElement {
    const mine = m.sender === this.me;
    const who = mine ? 'You' : this.nameOf(m.sender);
    const time = h('time', { datetime: m.timestamp }, fmtTime(m.timestamp));
    if (m.kind === 'offer') {
      return h(
        'li',
        { class: 'msg offer-line', 'data-seq': m.seq, 'data-id': m.id },
        h('span', { class: 'content' }, `${who}: ${m.content}`),
        ' ',
        time,
      );
    }
    const cls = ['msg', mine ? 'mine' : 'theirs', m.sender_type === 'ai' ? 'ai' : ''].filter(Boolean).join(' ');
    return h(
      'li',
      { class: cls, 'data-seq': m.seq, 'data-id': m.id },
      h('div', { class: 'meta' }, h('span', { class: 'sender' }, who), ' ', time),
      h('p', { class: 'content' }, m.content),
    );
  }
}

export type OutboxState = 'queued' | 'sending' | 'failed';
export interface OutboxItem {
  clientMessageId: string;
  content: string;
  timestamp: string;
  state: OutboxState;
  error?: string;
}

/** Messages typed but not yet acknowledged; re-sent with the same client id until the server has them. */
export class Outbox {
  readonly el: HTMLUListElement;
  private readonly items: OutboxItem[] = [];

  constructor(
    private readonly onRetry: () => void,
    private readonly connected: () => boolean,
  ) {
    this.el = h('ul', { class: 'outbox', 'aria-label': 'Messages not yet delivered' });
  }

  add(content: string): OutboxItem {
    const item: OutboxItem = { clientMessageId: newClientId(), content, timestamp: new Date().toISOString(), state: 'queued' };
    this.items.push(item);
    this.render();
    return item;
  }

  next(): OutboxItem | undefined {
    return this.items.find((i) => i.state === 'queued');
  }

  mark(item: OutboxItem, state: OutboxState, error?: string): void {
    item.state = state;
    item.error = error;
    this.render();
  }

  remove(clientMessageId: string): void {
    const i = this.items.findIndex((x) => x.clientMessageId === clientMessageId);
    if (i >= 0) {
      this.items.splice(i, 1);
      this.render();
    }
  }

  /** Items that were in flight when the connection dropped go back in the queue. */
  requeueSending(): void {
    for (const item of this.items) if (item.state === 'sending') item.state = 'queued';
    this.render();
  }

  get pending(): number {
    return this.items.length;
  }

  render(): void {
    replace(
      this.el,
      this.items.map((item) => {
        const status =
          item.state === 'failed'
            ? `Not sent: ${item.error ?? 'error'}`
            : item.state === 'sending'
              ? 'Sending…'
              : this.connected()
                ? 'Queued'
                : 'Waiting for the connection; it will be sent automatically';
        const li = h(
          'li',
          { class: `msg mine pending state-${item.state}`, 'data-client-id': item.clientMessageId },
          h('p', { class: 'content' }, item.content),
          h('p', { class: 'status small' }, status),
        );
        if (item.state === 'failed') {
          const retry = h('button', { type: 'button', class: 'link-button' }, 'Retry');
          const discard = h('button', { type: 'button', class: 'link-button' }, 'Discard');
          retry.addEventListener('click', () => {
            this.mark(item, 'queued');
            this.onRetry();
          });
          discard.addEventListener('click', () => this.remove(item.clientMessageId));
          li.append(h('div', { class: 'actions' }, retry, discard));
        }
        return li;
      }),
    );
  }
}

function newClientId(): string {
  const c = globalThis.crypto;
  if (c?.randomUUID) return c.randomUUID();
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
