import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { createGateway, RunningGateway } from '../../apps/gateway/src/gateway';
import { ClientEvent } from '@parley/contracts';
import { addTeam, connect, emitAck, http, login, waitFor } from '../support/harness';
import { BadInputRow, recordSuite, reliabilityMode } from '../support/reliability-report';
import {
  CORE_STRINGS,
  ERROR_CODES,
  MARKER,
  NASTY_STRINGS,
  NASTY_VALUES,
  POLLUTERS,
  TRAVERSALS,
  Tally,
  ackKind,
  deepArray,
  deepObject,
  dropRedisPrefix,
  pollutedAt,
  prototypeFingerprint,
  rawEmit,
  rawHttp,
  sandboxConfig,
  toJson,
} from '../support/attack';

/**
 * Random and hostile payloads on every socket event and HTTP route. After each batch the gateway
 * must still answer /health and carry a chat message from one party to the other; every answer must
 * be an ack/`error` with a known code (or an HTTP 4xx JSON body with one), never a 500; no file may
 * appear or change outside DATA_DIR; Object.prototype must be untouched (the gateway runs in this process).
 */
const long = reliabilityMode() === 'long';
/** fast-check samples per event / per route on top of the hand-written list. */
const SAMPLES = long ? 400 : 15;
/** The hand-written strings: all of them in the long run, one of each kind in the short one. */
const STRINGS = long ? NASTY_STRINGS : CORE_STRINGS;

describe('fuzz: every socket event and HTTP route', () => {
  const box = sandboxConfig({ MESSAGES_PER_MINUTE: '1000000', LOGIN_ATTEMPTS_PER_15_MIN: '1000000', CONNECTIONS_PER_IP: '100000' });
  const config = box.config;
  const rows: BadInputRow[] = [];
  const sockets: Socket[] = [];
  let gw: RunningGateway;
  let alice: string, bob: string, prof: string;
  /** The negotiation the fuzz aims at, a second one only for the health round trip, and an AI practice. */
  let target: string, probe: string, practice: string;
  let probeA: Socket, probeB: Socket;
  let fuzzer: Socket;
  let snapshot: Map<string, string>;
  let proto: string;
  const crashes: unknown[] = [];
  const onCrash = (e: unknown) => crashes.push(e);

  beforeAll(async () => {
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    await addTeam(config, 'alice@uni.edu');
    await addTeam(config, 'bob@uni.edu');
    await addTeam(config, 'prof@uni.edu', { role: 'instructor' });
    gw = await createGateway(config);
    [alice, bob, prof] = await Promise.all(['alice', 'bob', 'prof'].map((u) => login(gw.url, `${u}@uni.edu`)));
    target = await openTrade();
    probe = await openTrade();
    practice = (await http(gw.url, 'POST', '/api/negotiations', { scenario_id: 'salary' }, alice)).body.negotiation_id;
    probeA = await open(alice);
    probeB = await open(bob);
    await emitAck(probeA, 'join-negotiation', { negotiation_id: probe });
    await emitAck(probeB, 'join-negotiation', { negotiation_id: probe });
    fuzzer = await open(alice);
    await emitAck(fuzzer, 'join-negotiation', { negotiation_id: target });
    snapshot = box.snapshot();
    proto = prototypeFingerprint();
  });

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await gw?.close();
    await dropRedisPrefix(config.redisUrl, config.redisPrefix).catch(() => undefined);
    box.cleanup();
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    recordSuite({ suite: 'attack-fuzz', mode: reliabilityMode(), bad_inputs: rows });
  });

  async function open(token: string): Promise<Socket> {
    const s = await connect(gw.url, token);
    sockets.push(s);
    return s;
  }

  async function openTrade(): Promise<string> {
    const order = await http(gw.url, 'POST', '/api/orders', { side: 'buy', chemical: 'C', price: 5.5, quantity: 100 }, alice);
    const res = await http(gw.url, 'POST', `/api/orders/${order.body.id}/respond`, undefined, bob);
    if (res.status !== 201) throw new Error(`respond failed: ${res.status}`);
    return res.body.negotiation_id;
  }

  let roundTrips = 0;
  /**
   * The gateway still works for a normal user, and nothing leaked out of DATA_DIR or into prototypes.
   * Never throws: the caller records its row first, then asserts `problems` is empty.
   */
  async function checkHealth(batch: string): Promise<{ up: boolean; outside: string[]; problems: string[] }> {
    const problems: string[] = [];
    let up = false;
    try {
      const health = await http(gw.url, 'GET', '/health');
      const content = `still there? ${batch} ${++roundTrips}`;
      const seen = waitFor(probeB, 'message-received', (m) => m.content === content, 5000);
      const ack = await emitAck(probeA, 'send-message', { negotiation_id: probe, content });
      const received = await seen;
      // the fuzzed negotiation's files still parse: sync reads every line back
      const sync = await emitAck(fuzzer.connected ? fuzzer : probeA, 'sync-messages', { negotiation_id: target, after_seq: 0 }, 10_000);
      up = health.status === 200 && health.body?.status === 'ok' && ack.ok === true && received.id === ack.data.id && sync.ok === true;
      if (!up) problems.push(`after ${batch}: health ${health.status}, round trip ${ack.ok}, sync ${sync.ok}`);
    } catch (e) {
      problems.push(`after ${batch}: the gateway did not answer (${(e as Error).message})`);
    }
    const outside = box.changesOutside(snapshot);
    if (outside.length) problems.push(`after ${batch}, outside DATA_DIR: ${outside.join(', ')}`);
    if (prototypeFingerprint() !== proto) problems.push(`after ${batch}: Object/Array prototype changed: ${prototypeFingerprint()}`);
    if (crashes.length) problems.push(`after ${batch}: uncaught ${crashes.map(String).join(' | ')}`);
    return { up, outside, problems };
  }

  /** Emits and classifies the answer: an ack with a known code, or the socket being dropped for an oversized frame. */
  async function fire(event: string, payload: unknown, tally: Tally, failures: string[]): Promise<void> {
    if (!fuzzer.connected) {
      fuzzer = await open(alice);
      await emitAck(fuzzer, 'join-negotiation', { negotiation_id: target });
    }
    const s = fuzzer;
    // hand-encoded: socket.io-client's own encoder overflows the stack on 10k-deep values before sending
    const frame = toJson([event, payload])!;
    const answer = await new Promise<unknown>((resolve) => {
      const onDisconnect = () => resolve('disconnected');
      s.once('disconnect', onDisconnect);
      rawEmit(s, frame, 5000)
        .then((a) => resolve(a === 'no-ack' && !s.connected ? 'disconnected' : a))
        .finally(() => s.off('disconnect', onDisconnect));
    });
    if (answer === 'disconnected') {
      const size = Buffer.byteLength(frame);
      if (size > 60 * 1024) tally.add('socket dropped (frame over 64 KB)');
      else {
        tally.add('socket dropped (unexpected)');
        failures.push(`${event} ${show(payload)} → dropped although the frame was ${size} bytes`);
      }
      return;
    }
    const { kind, ok } = ackKind(answer);
    tally.add(kind);
    if (!ok) failures.push(`${event} ${show(payload)} → ${kind}`);
  }

  it('the tripwires fire (a file outside DATA_DIR, a marker file in /tmp, a polluted prototype)', () => {
    const stray = join(box.root, 'outside', 'stray.txt');
    const marked = join(tmpdir(), `${MARKER}-selftest`);
    writeFileSync(stray, 'x');
    writeFileSync(marked, 'x');
    const seen = box.changesOutside(snapshot);
    rmSync(stray);
    rmSync(marked);
    expect(seen).toEqual(expect.arrayContaining([`new: ${stray}`, `marker file: ${marked}`]));
    // the self-test touched the sentinel directory itself: the fuzz batches compare against the tree as it is now
    snapshot = box.snapshot();
    (Object.prototype as Record<string, unknown>).polluted = 'yes';
    const polluted = prototypeFingerprint();
    delete (Object.prototype as Record<string, unknown>).polluted;
    expect(polluted).not.toBe(proto);
    expect(prototypeFingerprint()).toBe(proto);
  });

  // ------------------------------------------------------------ socket events

  const validBodies = (): Record<string, Record<string, unknown>> => ({
    [ClientEvent.JoinNegotiation]: { negotiation_id: target },
    [ClientEvent.LeaveNegotiation]: { negotiation_id: target },
    [ClientEvent.SendMessage]: {
      negotiation_id: target,
      content: 'hello',
      type: 'user',
      timestamp: new Date().toISOString(),
      client_message_id: 'c-1',
    },
    [ClientEvent.TypingStart]: { negotiation_id: target },
    [ClientEvent.TypingStop]: { negotiation_id: target },
    [ClientEvent.SyncMessages]: { negotiation_id: target, after_seq: 0 },
    [ClientEvent.ProposeOffer]: { negotiation_id: target, terms: { price: 5, quantity: 10 } },
    [ClientEvent.AgreeOffer]: { negotiation_id: target, terms: { price: 5, quantity: 10 } },
    [ClientEvent.RejectNegotiation]: { negotiation_id: target, reason: 'no' },
    [ClientEvent.DevTriggerAi]: { negotiation_id: practice, force_response: true },
    [ClientEvent.DevCompleteNegotiation]: { negotiation_id: practice, outcome: 'success', score_override: { overall: 100 } },
    // a well-formed id of a session the fuzzing student is not in
    [ClientEvent.JoinSession]: { session_id: '00000000-0000-4000-8000-000000000000' },
  });

  /** Hostile terms: non-finite and giant numbers, wrong types, polluting and malformed issue names. */
  const hostileTerms = (): unknown[] => [
    ...NASTY_VALUES.map((v) => ({ price: v, quantity: 10 })),
    ...STRINGS.slice(0, 12).map((v) => ({ price: v, quantity: 10 })),
    ...STRINGS.filter((k) => k.length < 80).map((k) => ({ [k]: 5 })),
    JSON.parse('{"__proto__":5,"price":5,"quantity":10}'),
    JSON.parse('{"constructor":5,"price":5,"quantity":10}'),
    JSON.parse('{"price":5,"quantity":10,"__proto__":{"polluted":"yes"}}'),
    Object.fromEntries(Array.from({ length: 13 }, (_, i) => [`issue_${i}`, i])),
    Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])),
    { ['a'.repeat(33)]: 1 },
    { price: -5, quantity: 10 },
    { price: 5, quantity: 0.5 },
    { price: 1e6 + 1, quantity: 10 },
    { price: 5, quantity: 1e9 + 1 },
    [5, 10],
  ];

  function payloadsFor(event: string): unknown[] {
    const base = validBodies()[event];
    const out: unknown[] = [
      ...NASTY_VALUES,
      ...STRINGS,
      ...POLLUTERS,
      deepObject(10_000),
      deepArray(10_000),
      { ...base, extra: deepObject(10_000) },
      'x'.repeat(1024 * 1024),
      ...pollutedAt(base, Object.keys(base)[0]),
    ];
    for (const field of Object.keys(base)) {
      const values: unknown[] = [
        ...NASTY_VALUES,
        ...(field === 'negotiation_id' ? NASTY_STRINGS : STRINGS),
        ...POLLUTERS,
        deepObject(10_000),
        'y'.repeat(70 * 1024),
      ];
      if (field === 'terms' || field === 'score_override') values.push(...hostileTerms());
      for (const v of values) out.push({ ...base, [field]: v });
    }
    // the other negotiations' ids in the right field (a party's own, an AI one, a made-up one)
    out.push(
      { ...base, negotiation_id: probe },
      { ...base, negotiation_id: practice },
      { ...base, negotiation_id: 'alice_bob_C_1700000000' },
    );
    out.push(...fc.sample(fc.jsonValue({ maxDepth: 4 }), SAMPLES));
    out.push(
      ...fc
        .sample(
          fc.dictionary(fc.oneof(fc.constantFrom(...Object.keys(base)), fc.string({ unit: 'binary' })), fc.jsonValue({ maxDepth: 3 })),
          SAMPLES,
        )
        .map((d) => ({ ...base, ...d })),
    );
    out.push(
      ...fc
        .sample(fc.record({ negotiation_id: fc.oneof(fc.constant(target), fc.string({ unit: 'binary', maxLength: 80 })) }), SAMPLES)
        .map((d) => ({ ...base, ...d })),
    );
    return out;
  }

  for (const event of Object.values(ClientEvent)) {
    it(`socket ${event}: wrong types, traversal, unicode, polluters, 10k-deep, 1 MB`, async () => {
      const tally = new Tally();
      const failures: string[] = [];
      for (const payload of payloadsFor(event)) await fire(event, payload, tally, failures);
      const { up, outside, problems } = await checkHealth(event);
      rows.push({
        input: `socket ${event}: hostile & random payloads`,
        tried: tally.total,
        answered: tally.toString(),
        server_stayed_up: up,
        wrote_outside_data_dir: outside.length > 0,
      });
      expect(problems).toEqual([]);
      expect(failures).toEqual([]);
    }, 120_000);
  }

  it('socket: frames the client library would never send (1e309, -0, malformed packets, reserved and unknown event names)', async () => {
    const tally = new Tally();
    const failures: string[] = [];
    const wellFormed = [
      `["propose-offer",{"negotiation_id":"${target}","terms":{"price":1e309,"quantity":10}}]`,
      `["propose-offer",{"negotiation_id":"${target}","terms":{"price":-1e309,"quantity":10}}]`,
      `["agree-offer",{"negotiation_id":"${target}","terms":{"price":-0,"quantity":10}}]`,
      `["agree-offer",{"negotiation_id":"${target}","terms":{"price":1e-400,"quantity":10}}]`,
      `["sync-messages",{"negotiation_id":"${target}","after_seq":1e309}]`,
      `["sync-messages",{"negotiation_id":"${target}","after_seq":-0}]`,
      `["send-message",{"negotiation_id":"${target}","content":"\\ud800\\udc00\\ud800","__proto__":{"polluted":"yes"}}]`,
      `["send-message",{"negotiation_id":"${target}","content":"dup keys","content":"second"}]`,
      `["join-negotiation",{"negotiation_id":"${target}","negotiation_id":"../../etc"}]`,
      `["dev-complete-negotiation",{"negotiation_id":"${practice}","score_override":{"__proto__":1e309}}]`,
    ];
    for (const frame of wellFormed) {
      if (!fuzzer.connected) fuzzer = await open(alice);
      const { kind, ok } = ackKind(await rawEmit(fuzzer, frame));
      tally.add(kind);
      if (!ok) failures.push(`${frame.slice(0, 100)} → ${kind}`);
    }
    // events nobody handles (and names that look like internals): ignored, the socket stays usable
    for (const name of [
      '__proto__',
      'constructor',
      'hasOwnProperty',
      'toString',
      'JOIN-NEGOTIATION',
      'join-negotiation ',
      'connect',
      'disconnect',
      'error',
      'disconnecting',
      'newListener',
      '',
    ]) {
      const s = await open(alice);
      const pending = rawEmit(s, `[${JSON.stringify(name)},{"negotiation_id":"${target}"}]`, 1000);
      // packets are handled in order: once a later join is answered, an ignored event will never be
      const still = await Promise.race([
        emitAck(s, 'join-negotiation', { negotiation_id: target }, 1000).catch(() => null),
        pending.then(() => null),
      ]);
      const answer = await Promise.race([pending, new Promise((r) => setTimeout(() => r('no-ack'), 30))]);
      // socket.io itself refuses its reserved names (connect, disconnect, …) by closing that connection
      const reserved = ['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener'].includes(name);
      const kind =
        answer !== 'no-ack'
          ? `BAD ${JSON.stringify(answer)}`
          : reserved && !s.connected
            ? 'connection closed (reserved event name)'
            : s.connected && still?.ok
              ? 'ignored (no handler), socket still usable'
              : `BAD no answer, connected=${s.connected}`;
      tally.add(kind);
      if (kind.startsWith('BAD')) failures.push(`event ${JSON.stringify(name)} → ${kind}`);
      s.close();
    }
    // malformed Socket.io packets: the server drops that connection (and only that one)
    for (const bad of ['[', '["send-message"', '{}', '[]', '[1,2]', '[null]', '[{"a":1}]', '["send-message",' + '['.repeat(20_000)]) {
      const s = await open(alice);
      const answer = await rawEmit(s, bad, 500);
      const kind =
        answer === 'no-ack' ? (s.connected ? 'ignored' : 'connection closed (malformed packet)') : `BAD ${JSON.stringify(answer)}`;
      tally.add(kind);
      if (kind.startsWith('BAD')) failures.push(`packet ${bad.slice(0, 40)} → ${kind}`);
      s.close();
    }
    const { up, outside, problems } = await checkHealth('raw frames');
    rows.push({
      input: 'socket: hand-written frames (1e309, -0, duplicate keys, reserved/unknown event names, malformed packets)',
      tried: tally.total,
      answered: tally.toString(),
      server_stayed_up: up,
      wrote_outside_data_dir: outside.length > 0,
    });
    expect(problems).toEqual([]);
    expect(failures).toEqual([]);
  }, 60_000);

  // ------------------------------------------------------------ HTTP routes

  interface HttpAnswer {
    status: number;
    json?: any;
    body?: any;
  }
  function classify(answer: HttpAnswer, tally: Tally, failures: string[], what: string): void {
    // rawHttp gives {json}, the harness's http() gives the parsed body as {body}
    const res = { status: answer.status, json: 'json' in answer ? answer.json : answer.body };
    if (res.status >= 500 || res.status === 0) {
      tally.add(`${res.status}`);
      failures.push(`${what} → ${res.status} ${JSON.stringify(res.json).slice(0, 120)}`);
      return;
    }
    if (res.status === 431) {
      // Node's HTTP parser refuses a request line/headers over 16 KB before any app code runs
      tally.add('431 (Node: headers over 16 KB)');
      return;
    }
    if (res.status >= 400) {
      const code = res.json?.code;
      if (typeof code === 'string' && ERROR_CODES.has(code)) tally.add(`${res.status} ${code}`);
      else {
        tally.add(`${res.status} without code`);
        failures.push(`${what} → ${res.status} without a JSON code: ${JSON.stringify(res.json).slice(0, 120)}`);
      }
      return;
    }
    tally.add(`${res.status}`);
  }

  const jsonBodies = (valid: Record<string, unknown>): unknown[] => {
    const out: unknown[] = [
      ...NASTY_VALUES.filter((v) => v !== undefined),
      ...STRINGS.slice(0, 8),
      ...POLLUTERS,
      deepObject(5000),
      ...pollutedAt(valid, Object.keys(valid)[0]),
    ];
    for (const field of Object.keys(valid))
      for (const v of [...NASTY_VALUES, ...STRINGS, ...POLLUTERS, deepObject(200)]) out.push({ ...valid, [field]: v });
    out.push(...fc.sample(fc.jsonValue({ maxDepth: 4 }), SAMPLES));
    out.push(
      ...fc
        .sample(fc.dictionary(fc.oneof(fc.constantFrom(...Object.keys(valid)), fc.string()), fc.jsonValue({ maxDepth: 2 })), SAMPLES)
        .map((d) => ({ ...valid, ...d })),
    );
    return out;
  };
  const rawBodies: { body: string; type?: string }[] = [
    { body: '{"email":' },
    { body: '{"a":1}}' },
    { body: 'null' },
    { body: '"string"' },
    { body: '[]' },
    { body: '{"price":1e309,"quantity":10,"side":"buy","chemical":"C"}' },
    { body: '{"price":-0,"quantity":10,"side":"buy","chemical":"C"}' },
    { body: '{"__proto__":{"polluted":"yes"},"scenario_id":"salary"}' },
    { body: '{"constructor":{"prototype":{"polluted":"yes"}}}' },
    { body: '['.repeat(10_000) + ']'.repeat(10_000) },
    { body: '{"a":'.repeat(5000) + '1' + '}'.repeat(5000) },
    { body: JSON.stringify({ email: 'x'.repeat(1024 * 1024), password: 'p' }) },
    { body: 'x'.repeat(1024 * 1024), type: 'text/plain' },
    { body: '__proto__[polluted]=yes&constructor[prototype][polluted]=yes&email=a', type: 'application/x-www-form-urlencoded' },
    { body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', type: 'application/xml' },
    { body: '\u0000\u0001\u0002', type: 'application/json' },
    { body: '{"email":"a"}', type: 'application/json; charset=utf-7' },
    { body: '{"email":"a"}', type: 'application/json; charset=nonsense' },
  ];

  it('HTTP POST /auth/login: hostile bodies, e-mails with traversal, huge and deep bodies', async () => {
    const tally = new Tally();
    const failures: string[] = [];
    // every string password costs a bcrypt compare (~80 ms, also for unknown e-mails): keep this list short
    for (const body of jsonBodies({ email: 'alice@uni.edu', password: 'x'.repeat(201) }))
      classify(await http(gw.url, 'POST', '/auth/login', toJson(body)), tally, failures, `login ${show(body)}`);
    for (const email of [
      ...(long ? TRAVERSALS : CORE_STRINGS.filter((t) => /\.\.|\//.test(t))),
      'alice@uni.edu/../bob@uni.edu',
      'ALICE@UNI.EDU\u0000',
      'alice@uni.edu\u202e',
      ' alice@uni.edu/.',
    ]) {
      const res = await http(gw.url, 'POST', '/auth/login', { email, password: 'password1' });
      classify(res, tally, failures, `login email ${email}`);
      if (res.status === 200) failures.push(`login as ${JSON.stringify(email)} succeeded`);
    }
    for (const { body, type } of rawBodies) {
      classify(
        await rawHttp(gw.port, 'POST', '/auth/login', { body, headers: { 'content-type': type ?? 'application/json' } }),
        tally,
        failures,
        `login raw ${body.slice(0, 40)}`,
      );
    }
    const { up, outside, problems } = await checkHealth('login');
    rows.push({
      input: 'HTTP POST /auth/login: hostile & random bodies, traversal e-mails, raw/huge/deep bodies',
      tried: tally.total,
      answered: tally.toString(),
      server_stayed_up: up,
      wrote_outside_data_dir: outside.length > 0,
    });
    expect(problems).toEqual([]);
    expect(failures).toEqual([]);
  }, 120_000);

  it('HTTP bodies of POST /api/orders and POST /api/negotiations', async () => {
    const tally = new Tally();
    const failures: string[] = [];
    const routes: [string, Record<string, unknown>][] = [
      ['/api/orders', { side: 'buy', chemical: 'C', price: 5, quantity: 10 }],
      ['/api/negotiations', { scenario_id: 'salary' }],
    ];
    for (const [path, valid] of routes) {
      for (const body of jsonBodies(valid))
        classify(await http(gw.url, 'POST', path, toJson(body), alice), tally, failures, `POST ${path} ${show(body)}`);
      for (const { body, type } of rawBodies) {
        classify(
          await rawHttp(gw.port, 'POST', path, {
            body,
            headers: { 'content-type': type ?? 'application/json', authorization: `Bearer ${alice}` },
          }),
          tally,
          failures,
          `POST ${path} raw ${body.slice(0, 40)}`,
        );
      }
      for (const id of STRINGS) {
        classify(
          await http(gw.url, 'POST', '/api/negotiations', { scenario_id: id }, alice),
          tally,
          failures,
          `POST /api/negotiations scenario ${id}`,
        );
      }
    }
    const { up, outside, problems } = await checkHealth('post bodies');
    rows.push({
      input: 'HTTP POST /api/orders, /api/negotiations: hostile & random bodies, traversal scenario ids, raw bodies',
      tried: tally.total,
      answered: tally.toString(),
      server_stayed_up: up,
      wrote_outside_data_dir: outside.length > 0,
    });
    expect(problems).toEqual([]);
    expect(failures).toEqual([]);
  }, 120_000);

  it('HTTP ids in every path (encoded and raw traversal), query strings, methods', async () => {
    const tally = new Tally();
    const failures: string[] = [];
    const idRoutes: [string, string, string][] = [
      ['GET', '/api/scenarios/:id', alice],
      ['GET', '/api/negotiations/:id', alice],
      ['GET', '/api/negotiations/:id', prof],
      ['DELETE', '/api/orders/:id', alice],
      ['POST', '/api/orders/:id/respond', bob],
    ];
    const ids = [...STRINGS, ...fc.sample(fc.string({ unit: 'binary', maxLength: 60 }), SAMPLES)];
    for (const [method, route, token] of idRoutes) {
      for (const id of ids) {
        const path = route.replace(':id', percentEncode(id));
        classify(
          await rawHttp(gw.port, method, path, { headers: { authorization: `Bearer ${token}` } }),
          tally,
          failures,
          `${method} ${path}`,
        );
      }
      // unencoded: the server sees `/../` and `%2F` exactly as written
      for (const id of TRAVERSALS.filter((t) => /^[\x21-\x7e]+$/.test(t))) {
        const path = route.replace(':id', id);
        classify(
          await rawHttp(gw.port, method, path, { headers: { authorization: `Bearer ${token}` } }),
          tally,
          failures,
          `${method} raw ${path}`,
        );
      }
    }
    const queries = [
      '/api/orders?chemical=X',
      '/api/orders?chemical[]=C&chemical[]=N',
      '/api/orders?chemical[__proto__][polluted]=yes',
      '/api/orders?__proto__[polluted]=yes',
      '/api/orders?constructor[prototype][polluted]=yes',
      '/api/orders?chemical=' + 'C'.repeat(100_000),
      '/api/orders?' + Array.from({ length: 2000 }, (_, i) => `k${i}=${i}`).join('&'),
      '/api/admin/audit?limit=NaN',
      '/api/admin/audit?limit=-1',
      '/api/admin/audit?limit=1e309',
      '/api/admin/audit?limit=99999999999999999999',
      '/api/admin/audit?limit[]=1',
      '/api/admin/audit?limit[__proto__][polluted]=yes',
      '/admin/queues?token=../../etc/passwd',
      '/admin/queues?token[]=a',
      '/admin/queues/api/queues?token=' + 'x'.repeat(5000),
      '/metrics?__proto__[polluted]=yes',
      '/health?__proto__[polluted]=yes',
    ];
    for (const q of queries) {
      const token = q.startsWith('/api/admin') ? prof : alice;
      classify(
        await rawHttp(gw.port, 'GET', q, { headers: { authorization: `Bearer ${token}` } }),
        tally,
        failures,
        `GET ${q.slice(0, 80)}`,
      );
    }
    const paths = [
      '/../../../../etc/passwd',
      '/..%2f..%2f..%2fetc%2fpasswd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/static/../../package.json',
      '/index.html/../../package.json',
      '/..\\..\\package.json',
      '/.env',
      '/.jwt_secret',
      '/teams/alice@uni.edu/init.json',
      '/data/teams/alice@uni.edu/init.json',
      '/api',
      '/api/',
      '/api/teams/me/../../admin/audit',
      '/api/teams/bob@uni.edu',
      '/api/teams/..%2fbob@uni.edu',
      '//etc/passwd',
      '/api/orders/' + 'a'.repeat(8000),
    ];
    for (const p of paths) {
      const res = await rawHttp(gw.port, 'GET', p, { headers: { authorization: `Bearer ${alice}` } });
      classify(res, tally, failures, `GET ${p.slice(0, 80)}`);
      if (/root:|password_hash|test-secret/.test(res.body)) failures.push(`GET ${p} returned a secret`);
      if (res.status < 400) failures.push(`GET ${p} answered ${res.status}: ${res.body.slice(0, 80)}`);
    }
    for (const method of ['PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND', 'HEAD']) {
      for (const p of ['/api/orders', '/api/teams/me', '/auth/login', '/api/negotiations']) {
        const res = await rawHttp(gw.port, method, p, { headers: { authorization: `Bearer ${alice}` } });
        if (method === 'HEAD' && res.status < 500) tally.add(`${res.status}`);
        else classify(res, tally, failures, `${method} ${p}`);
      }
    }
    const { up, outside, problems } = await checkHealth('paths');
    rows.push({
      input: 'HTTP: hostile ids in every :id route (encoded and raw ../), query-string pollution, static-file traversal, odd methods',
      tried: tally.total,
      answered: tally.toString(),
      server_stayed_up: up,
      wrote_outside_data_dir: outside.length > 0,
    });
    expect(problems).toEqual([]);
    expect(failures).toEqual([]);
  }, 120_000);

  it('HTTP and handshake: hostile Authorization headers and tokens (including a validly signed token whose subject is a path)', async () => {
    const tally = new Tally();
    const failures: string[] = [];
    const signed = (sub: unknown) => jwt.sign({ sub, role: 'instructor' }, config.jwtSecret, { algorithm: 'HS256' });
    const tokens = [
      '',
      'x',
      'a.b.c',
      'x'.repeat(5000),
      'Bearer',
      ...TRAVERSALS.map(signed),
      signed('ALICE@UNI.EDU'),
      signed(['alice@uni.edu']),
      signed({ __proto__: { polluted: 'yes' } }),
      signed(null),
      jwt.sign({ sub: 'prof@uni.edu', role: 'instructor' }, config.jwtSecret, { algorithm: 'HS512' }),
      jwt.sign({ sub: 'prof@uni.edu', role: 'instructor', nbf: Math.floor(Date.now() / 1000) + 3600 }, config.jwtSecret, {
        algorithm: 'HS256',
      }),
    ];
    const routes = [
      '/api/teams/me',
      '/api/orders',
      '/api/negotiations',
      '/api/admin/audit',
      '/api/instructor/negotiations',
      '/admin/queues',
    ];
    for (const t of tokens) {
      for (const r of routes) {
        const res = await rawHttp(gw.port, 'GET', r, { headers: { authorization: `Bearer ${t}` } });
        classify(res, tally, failures, `GET ${r} token ${t.slice(0, 30)}`);
        if (res.status < 400) failures.push(`GET ${r} accepted token ${t.slice(0, 60)}`);
      }
      const refused = await connect(gw.url, t).then(
        (s) => {
          s.close();
          return 'connected';
        },
        (e: Error) => e.message,
      );
      tally.add(`handshake: ${refused}`);
      if (refused !== 'Authentication error') failures.push(`handshake with ${t.slice(0, 60)} → ${refused}`);
    }
    for (const header of [
      'Basic YWxpY2U6cGFzc3dvcmQx',
      `bearer ${alice}`,
      `Bearer  ${alice}`,
      `Bearer ${alice} extra`,
      `Token ${alice}`,
      `${alice}`,
    ]) {
      const res = await rawHttp(gw.port, 'GET', '/api/teams/me', { headers: { authorization: header } });
      classify(res, tally, failures, `authorization ${header.slice(0, 20)}`);
    }
    for (const auth of [{ token: 42 }, { token: { sub: 'alice@uni.edu' } }, { token: [alice] }, { token: null }, { tok: alice }]) {
      const refused = await connect(gw.url, undefined, { auth }).then(
        (s) => {
          s.close();
          return 'connected';
        },
        (e: Error) => e.message,
      );
      tally.add(`handshake: ${refused}`);
      if (refused !== 'Authentication error') failures.push(`handshake auth ${JSON.stringify(auth)} → ${refused}`);
    }
    const { up, outside, problems } = await checkHealth('tokens');
    rows.push({
      input:
        'tokens: junk, 5000 chars, HS512, not-yet-valid, validly signed with a path / array / object as subject; odd Authorization schemes; non-string handshake tokens',
      tried: tally.total,
      answered: tally.toString(),
      server_stayed_up: up,
      wrote_outside_data_dir: outside.length > 0,
    });
    expect(problems).toEqual([]);
    expect(failures).toEqual([]);
  }, 120_000);
});

/** encodeURIComponent, except that lone surrogates become their (invalid) UTF-8 bytes instead of a client-side throw. */
function percentEncode(s: string): string {
  let out = '';
  for (const ch of s) {
    const u = ch.charCodeAt(0);
    if (ch.length === 1 && u >= 0xd800 && u <= 0xdfff)
      out += [0xe0 | (u >> 12), 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    else out += encodeURIComponent(ch);
  }
  return out;
}

function show(payload: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(payload) ?? String(payload);
  } catch {
    text = String(payload);
  }
  return text.length > 100 ? `${text.slice(0, 100)}… (${text.length} chars)` : text;
}
