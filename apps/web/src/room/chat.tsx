import { MAX_MESSAGE_LENGTH, type ChatMessage } from '@parley/contracts/browser';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { fmtTime } from '../format';
import { toast } from '../toast';
import type { OutboxItem } from './state';

const HARDWARE_KEYBOARD = '(hover: hover) and (pointer: fine) and (min-width: 700px)';

/** The transcript, in seq order; it follows new lines while scrolled to its end, and always after my own. */
export function ChatLog({
  messages,
  me,
  mineTick,
  nameOf,
}: {
  messages: ChatMessage[];
  me: string;
  mineTick: number;
  nameOf: (user: string) => string;
}) {
  const ref = useRef<HTMLOListElement>(null);
  const atEnd = useRef(true);
  const lastTick = useRef(mineTick);
  useLayoutEffect(() => {
    const el = ref.current!;
    if (atEnd.current || mineTick !== lastTick.current) el.scrollTop = el.scrollHeight;
    lastTick.current = mineTick;
  }, [messages, mineTick]);
  const onScroll = () => {
    const el = ref.current!;
    atEnd.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  };
  // a list (so a screen reader counts and steps through the messages) that announces new ones;
  // role="log" would replace the list role and leave its items outside any list (WCAG 1.3.1)
  return (
    <ol ref={ref} class="chat-log" aria-live="polite" aria-relevant="additions" aria-label="Conversation" tabIndex={0} onScroll={onScroll}>
      {messages.length ? (
        messages.map((m) => <Line key={m.id} m={m} who={m.sender === me ? 'You' : nameOf(m.sender)} mine={m.sender === me} />)
      ) : (
        <li class="chat-empty muted">No messages yet. Say hello and make your case.</li>
      )}
    </ol>
  );
}

function Line({ m, who, mine }: { m: ChatMessage; who: string; mine: boolean }) {
  const time = <time dateTime={m.timestamp}>{fmtTime(m.timestamp)}</time>;
  if (m.kind === 'offer') {
    return (
      <li class="msg offer-line" data-seq={m.seq} data-id={m.id}>
        <span class="content">{`${who}: ${m.content}`}</span> {time}
      </li>
    );
  }
  const cls = ['msg', mine ? 'mine' : 'theirs', m.sender_type === 'ai' ? 'ai' : ''].filter(Boolean).join(' ');
  return (
    <li class={cls} data-seq={m.seq} data-id={m.id}>
      <div class="meta">
        <span class="sender">{who}</span> {time}
      </div>
      <p class="content">{m.content}</p>
    </li>
  );
}

/** Messages typed but not yet acknowledged, with what is happening to each. */
export function Outbox({
  items,
  online,
  retry,
  discard,
}: {
  items: OutboxItem[];
  online: boolean;
  retry(id: string): void;
  discard(id: string): void;
}) {
  return (
    <ul class="outbox" aria-label="Messages not yet delivered">
      {items.map((item) => (
        <li key={item.clientMessageId} class={`msg mine pending state-${item.state}`} data-client-id={item.clientMessageId}>
          <p class="content">{item.content}</p>
          <p class="status small">
            {item.state === 'failed'
              ? `Not sent: ${item.error ?? 'error'}`
              : item.state === 'sending'
                ? 'Sending…'
                : online
                  ? 'Queued'
                  : 'Waiting for the connection; it will be sent automatically'}
          </p>
          {item.state === 'failed' ? (
            <div class="actions">
              <button type="button" class="link-button" onClick={() => retry(item.clientMessageId)}>
                Retry
              </button>
              <button type="button" class="link-button" onClick={() => discard(item.clientMessageId)}>
                Discard
              </button>
            </div>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

export interface ComposerProps {
  closed: boolean;
  /** Before sending: a typed acceptance of terms worse than the walk-away asks first (false: not sent). */
  confirm(text: string): Promise<boolean>;
  send(content: string): void;
  typing(length: number): void;
}

/** The message box: Enter sends, Shift+Enter breaks the line; a counter of the characters left. */
export function Composer({ closed, confirm, send, typing }: ComposerProps) {
  const [text, setText] = useState('');
  const form = useRef<HTMLFormElement>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const [hardwareKeyboard] = useState(() => window.matchMedia(HARDWARE_KEYBOARD).matches);
  // on phones the keyboard would cover the room: focus the message box on wide screens only
  useEffect(() => {
    if (window.matchMedia('(min-width: 700px)').matches) box.current?.focus({ preventScroll: true });
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    const content = text.trim();
    if (!content || closed) return;
    if (!(await confirm(content))) return;
    if (content.length > MAX_MESSAGE_LENGTH) {
      toast(`Messages are limited to ${MAX_MESSAGE_LENGTH} characters.`, 'error');
      return;
    }
    setText('');
    send(content);
  };
  return (
    <form ref={form} class="composer" aria-label="Send a message" hidden={closed} onSubmit={submit}>
      <label for="msg">Message</label>
      <textarea
        ref={box}
        id="msg"
        rows={3}
        maxLength={MAX_MESSAGE_LENGTH}
        // the Shift+Enter hint only where there is a hardware keyboard to press it on
        placeholder={hardwareKeyboard ? 'Write a message… (Enter sends, Shift+Enter for a new line)' : 'Write a message…'}
        aria-describedby="msg-counter"
        disabled={closed}
        value={text}
        onInput={(e) => {
          const value = e.currentTarget.value;
          setText(value);
          typing(value.length);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            form.current!.requestSubmit();
          }
        }}
      />
      <div class="composer-row">
        <span id="msg-counter" class={`counter small muted${text.length > MAX_MESSAGE_LENGTH * 0.9 ? ' near-limit' : ''}`}>
          {`${text.length} / ${MAX_MESSAGE_LENGTH}`}
        </span>
        <button type="submit" class="primary" disabled={closed}>
          Send
        </button>
      </div>
    </form>
  );
}
