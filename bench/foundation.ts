// Issue 2 figures: sign-in throughput with both cores hashing, GET /api/v1/account p99 while
// sign-ins run, and /healthz against a bare Fastify hello-world in the same run.
// Run: npx tsx bench/foundation.ts   (about a minute)
import { cookiesOf, randomClientIp, run, startBareFastify, startMfd, summary } from "./lib.js";

const DURATION = Number(process.env.BENCH_SECONDS ?? 15);
const PASSWORD = "bench password that is long enough";

const mfd = await startMfd(18080);
const bare = await startBareFastify(18081);
try {
  const json = { "content-type": "application/json" };
  // Accounts to sign in to.
  const logins: string[] = [];
  for (let i = 0; i < 20; i++) {
    const login = `bench${i}x${Date.now() % 100000}`;
    const response = await fetch(`${mfd.url}/api/v1/accounts`, {
      method: "POST",
      headers: { ...json, "x-forwarded-for": randomClientIp() },
      body: JSON.stringify({ login, password: PASSWORD, firstName: "Bench", lastName: "Mark" }),
    });
    if (response.status !== 201) throw new Error(`register: ${response.status} ${await response.text()}`);
    logins.push(login);
  }
  const signIn = await fetch(`${mfd.url}/api/v1/session`, {
    method: "POST",
    headers: json,
    body: JSON.stringify({ login: logins[0], password: PASSWORD }),
  });
  const cookie = cookiesOf(signIn);

  const signInLoad = () =>
    run({
      url: `${mfd.url}/api/v1/session`,
      connections: 16,
      duration: DURATION,
      requests: [
        {
          method: "POST",
          setupRequest: (req) => ({
            ...req,
            headers: { ...json, "x-forwarded-for": randomClientIp() },
            body: JSON.stringify({
              login: logins[Math.floor(Math.random() * logins.length)],
              password: PASSWORD,
            }),
          }),
        },
      ],
    });

  console.log(`sign-in alone (${DURATION}s, 16 connections)…`);
  const signInOnly = await signInLoad();

  console.log("GET /api/v1/account while sign-ins run…");
  const [accountDuring, signInDuring] = await Promise.all([
    run({ url: `${mfd.url}/api/v1/account`, connections: 4, duration: DURATION, headers: { cookie } }),
    signInLoad(),
  ]);

  console.log("GET /api/v1/account alone…");
  const accountAlone = await run({
    url: `${mfd.url}/api/v1/account`,
    connections: 4,
    duration: DURATION,
    headers: { cookie },
  });

  console.log("/healthz vs bare Fastify…");
  const health = await run({ url: `${mfd.url}/healthz`, connections: 32, duration: DURATION });
  const hello = await run({ url: `${bare.url}/`, connections: 32, duration: DURATION });

  const figures = {
    date: new Date().toISOString(),
    node: process.version,
    signIn: summary(signInOnly),
    accountAlone: summary(accountAlone),
    accountDuringSignIns: summary(accountDuring),
    signInDuringAccountReads: summary(signInDuring),
    healthz: summary(health),
    bareFastify: summary(hello),
    healthzToBareRatio: Number((health.requests.average / hello.requests.average).toFixed(2)),
  };
  console.log(JSON.stringify(figures, null, 2));
} finally {
  await mfd.stop();
  await bare.stop();
}
