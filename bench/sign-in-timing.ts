import { benchDatabase, randomClientIp, startMfd } from "./lib.js";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const WARMUP = 20;
const ACCOUNTS = 40;
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
  mfd = await startMfd(18095, env);
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
      },
      null,
      2,
    ),
  );
} finally {
  await mfd?.stop();
  await storage.remove();
}
