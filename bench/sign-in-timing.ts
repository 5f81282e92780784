import { benchDatabase, randomClientIp, startMfd } from "./lib.js";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const WARMUP = 20;
const ACCOUNTS = 40;
// Restore codes: an account gets at most 5 sends an hour (its confirmation code is one), so the
// matching requests are spread over enough accounts that every one of them really sends.
const RECOVERY_ACCOUNTS = Math.ceil((REQUESTS + WARMUP) / 3);
const PASSWORD = "bench password that is long enough";

const storage = await benchDatabase("timing");
const env: Record<string, string> = { ...storage.env };

const json = { "content-type": "application/json" };
const post = (url: string, body: unknown) =>
  fetch(url, {
    method: "POST",
    headers: { ...json, "x-forwarded-for": randomClientIp() },
    body: JSON.stringify(body),
  });

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
const stats = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
  };
};

let mfd: Awaited<ReturnType<typeof startMfd>> | null = null;
try {
  mfd = await startMfd(Number(process.env.BENCH_PORT ?? 18095), env);
  const session = `${mfd.url}/api/v1/session`;
  const stamp = Date.now() % 100_000;
  const logins: string[] = [];
  for (let i = 0; i < ACCOUNTS; i++) {
    const login = `timing${i}x${stamp}`;
    const res = await post(`${mfd.url}/api/v1/accounts`, {
      login,
      password: PASSWORD,
      firstName: "Bench",
      lastName: "Mark",
    });
    if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
    logins.push(login);
  }

  let wrongCount = 0;
  const kinds = {
    unknown: (i: number) => ({ login: `nobody${i}x${stamp}`, password: PASSWORD }),
    wrong: () => ({ login: logins[wrongCount++ % ACCOUNTS], password: "not the password at all" }),
  };
  const bodies = new Set<string>();
  const timed = async (kind: keyof typeof kinds, i: number) => {
    const body = kinds[kind](i);
    const start = performance.now();
    const res = await post(session, body);
    const text = await res.text();
    const ms = performance.now() - start;
    if (res.status !== 401) throw new Error(`${kind}: ${res.status} ${text}`);
    bodies.add(text);
    return ms;
  };

  for (let i = 0; i < WARMUP / 2; i++) {
    await timed("unknown", i);
    await timed("wrong", i);
  }
  const times = { unknown: [] as number[], wrong: [] as number[] };
  for (let i = 0; i < REQUESTS; i++) {
    // Alternate which goes first, so neither kind always follows the other.
    const order: (keyof typeof kinds)[] = i % 2 === 0 ? ["unknown", "wrong"] : ["wrong", "unknown"];
    for (const kind of order) times[kind].push(await timed(kind, WARMUP + i));
  }
  const unknown = stats(times.unknown);
  const wrong = stats(times.wrong);
  const recovery = await restoreCodeTiming(mfd.url, stamp);
  console.log(
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        database: storage.dialect,
        unknownLoginMs: unknown,
        wrongPasswordMs: wrong,
        differenceMs: {
          p50: Math.round((wrong.p50 - unknown.p50) * 100) / 100,
          p99: Math.round((wrong.p99 - unknown.p99) * 100) / 100,
          mean: Math.round((wrong.mean - unknown.mean) * 100) / 100,
        },
        distinctResponseBodies: bodies.size,
        restoreCode: recovery,
      },
      null,
      2,
    ),
  );
} finally {
  await mfd?.stop();
  await storage.remove();
}

/**
 * Restore-code requests (docs/SECURITY.md §8): the right login and recovery e-mail (a code is sent),
 * the right login with another e-mail, and an unknown login — one at a time, interleaved, each
 * from its own address; every answer must be the same 202 apart from the flow id.
 */
async function restoreCodeTiming(url: string, stamp: number) {
  const accounts: Array<{ login: string; email: string }> = [];
  for (let i = 0; i < RECOVERY_ACCOUNTS; i++) {
    const login = `restore${i}x${stamp}`;
    const email = `${login}@bench.example.org`;
    const res = await post(`${url}/api/v1/accounts`, {
      login,
      password: PASSWORD,
      firstName: "Bench",
      lastName: "Mark",
      recoveryEmail: email,
    });
    if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
    const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    const confirmed = await fetch(`${url}/api/v1/account/recovery-email/confirm`, {
      method: "POST",
      headers: { ...json, cookie, "x-csrf-token": csrfToken, "x-forwarded-for": randomClientIp() },
      body: JSON.stringify({ code: await lastCode(url, email) }),
    });
    if (confirmed.status !== 200) throw new Error(`confirm: ${confirmed.status} ${await confirmed.text()}`);
    accounts.push({ login, email });
  }

  let n = 0;
  const kinds = {
    match: (i: number) => accounts[i % RECOVERY_ACCOUNTS] as { login: string; email: string },
    mismatch: (i: number) => ({
      login: (accounts[i % RECOVERY_ACCOUNTS] as { login: string }).login,
      email: `someone${i}@elsewhere.example.net`,
    }),
    unknown: (i: number) => ({ login: `nobody${i}x${stamp}r`, email: `nobody${i}@bench.example.org` }),
  };
  const bodies = new Set<string>();
  const timed = async (kind: keyof typeof kinds, i: number) => {
    const { login, email } = kinds[kind](i);
    const start = performance.now();
    const res = await post(`${url}/api/v1/recovery/code`, { login, channel: "email", contact: email });
    const text = await res.text();
    const ms = performance.now() - start;
    if (res.status !== 202) throw new Error(`${kind}: ${res.status} ${text}`);
    bodies.add(text.replace(/"flowId":"[^"]+"/, "").replace(/"expiresAt":"[^"]+"/, ""));
    n++;
    return ms;
  };
  const times = { match: [] as number[], mismatch: [] as number[], unknown: [] as number[] };
  const kindsInOrder = Object.keys(kinds) as (keyof typeof kinds)[];
  for (let i = 0; i < WARMUP + REQUESTS; i++) {
    // Rotate which goes first, so no kind always follows another.
    for (let k = 0; k < kindsInOrder.length; k++) {
      const kind = kindsInOrder[(i + k) % kindsInOrder.length] as keyof typeof kinds;
      const ms = await timed(kind, i);
      if (i >= WARMUP) times[kind].push(ms);
    }
  }
  const sent = (await (await fetch(`${url}/dev/outbox.json`)).json()) as Array<{ subject: string }>;
  const match = stats(times.match);
  const mismatch = stats(times.mismatch);
  const unknown = stats(times.unknown);
  const gap = (a: typeof match, b: typeof match) => ({
    p50: Math.round((a.p50 - b.p50) * 100) / 100,
    p99: Math.round((a.p99 - b.p99) * 100) / 100,
    mean: Math.round((a.mean - b.mean) * 100) / 100,
  });
  return {
    requests: n,
    matchMs: match,
    mismatchMs: mismatch,
    unknownLoginMs: unknown,
    matchMinusMismatchMs: gap(match, mismatch),
    matchMinusUnknownMs: gap(match, unknown),
    codesAmongLast200Messages: sent.filter((m) => m.subject === "Your code to restore access to mfd").length,
    distinctResponseBodies: bodies.size,
  };
}

/** The code in the newest message to `recipient`, from the development outbox. */
async function lastCode(url: string, recipient: string): Promise<string> {
  const messages = (await (await fetch(`${url}/dev/outbox.json`)).json()) as Array<{
    recipient: string;
    body: string;
  }>;
  const code = /\b(\d{6,8})\b/.exec(messages.find((m) => m.recipient === recipient)?.body ?? "")?.[1];
  if (!code) throw new Error(`no code sent to ${recipient}`);
  return code;
}
