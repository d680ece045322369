interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileTop {
  totalMs: number;
  /**
   * Self time by where the code lives: an npm package, a Parley module, GC. Time in Node's own
   * library and native code (C++ bindings, syscalls) counts for the nearest caller outside it —
   * the package or module that asked for the work.
   */
  byPlace: { place: string; ms: number; pct: number }[];
  byFunction: { fn: string; ms: number; pct: number }[];
}

/** Where a function lives: `socket.io`, `parley apps/gateway/...`, `node:fs`, `(garbage collector)`. */
function place(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  for (const root of ['/apps/', '/libs/', '/bench/']) {
    const i = url.indexOf(root);
    if (i >= 0) return `parley ${url.slice(i + 1).replace(/\.js$/, '')}`;
  }
  if (url.startsWith('node:')) return url.split('/')[0];
  return url;
}

/** Self time per place and per function of a V8 CPU profile (idle time left out). */
export function summarizeProfile(profile: CpuProfile, top = 12): ProfileTop {
  const selfUs = new Map<number, number>();
  if (profile.samples && profile.timeDeltas) {
    for (let i = 0; i < profile.samples.length; i++)
      selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  }
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** the nearest caller (or itself) outside Node's own library: the code that asked for the work */
  const appOwner = (node: ProfileNode): ProfileNode | null => {
    let fallback: ProfileNode | null = null;
    for (let cur: ProfileNode | undefined = node, hops = 0; cur && hops < 200; cur = byId.get(parent.get(cur.id) ?? -1), hops++) {
      const url = cur.callFrame.url;
      if (!url) continue;
      if (!url.startsWith('node:')) return cur;
      fallback ??= cur;
    }
    return fallback;
  };
  const places = new Map<string, number>();
  const fns = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    total += us;
    const special = !node.callFrame.url && node.callFrame.functionName.startsWith('(');
    const owner = special ? null : appOwner(node);
    const p = owner ? place(owner) : place(node);
    places.set(p, (places.get(p) ?? 0) + us);
    const name = node.callFrame.functionName || '(anonymous)';
    const fn =
      owner && owner !== node
        ? `${name}${node.callFrame.url ? '' : ' (native)'} ← ${owner.callFrame.functionName || '(anonymous)'} — ${p}`
        : `${name} — ${p}`;
    fns.set(fn, (fns.get(fn) ?? 0) + us);
  }
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => ({ k, ms: us / 1000, pct: (100 * us) / Math.max(1, total) }));
  return {
    totalMs: total / 1000,
    byPlace: rank(places).map(({ k, ms, pct }) => ({ place: k, ms, pct })),
    byFunction: rank(fns).map(({ k, ms, pct }) => ({ fn: k, ms, pct })),
  };
}

/** Markdown: a caption, self time by place, and the hottest functions. */
export function profileTables(caption: string, top: ProfileTop): string[] {
  const f = (x: number) => Number(x.toPrecision(3)).toString();
  const row = (name: string, ms: number, pct: number) => `| ${name.replace(/\|/g, '\\|')} | ${f(ms)} ms | ${f(pct)} % |`;
  return [
    caption,
    '',
    '| where (incl. the Node and native calls it makes) | self time | share |',
    '|---|---|---|',
    ...top.byPlace.map((p) => row(p.place, p.ms, p.pct)),
    '',
    '| hottest functions ← caller — where | self time | share |',
    '|---|---|---|',
    ...top.byFunction.map((x) => row(x.fn, x.ms, x.pct)),
    '',
  ];
}

/** How to read the profiles on a small, busy machine. */
export const PROFILE_NOTE =
  "Samples are taken on a wall clock: on 2 busy cores, time the thread waits to run again after it woke another thread or process (libuv's threadpool for a file call, Redis or a client for a socket write) counts for the call that woke it, so native file and socket calls weigh heavily — read them as the price of each hand-off.";
