/** A small client for a real mfd over HTTP: keeps the session cookie and the anti-CSRF token. */
export class HttpClient {
  cookie: string | null = null;
  csrf: string | null = null;
  constructor(readonly baseUrl: string) {}

  async request(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(this.cookie ? { cookie: `mfd_session=${this.cookie}` } : {}),
        ...(this.csrf && method !== "GET" ? { "x-csrf-token": this.csrf } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      const match = /^mfd_session=([^;]*)/.exec(line);
      if (match) this.cookie = match[1] || null;
    }
    const text = await response.text();
    const json = text && response.headers.get("content-type")?.includes("json") ? JSON.parse(text) : null;
    if (json && typeof json === "object" && "csrfToken" in json) this.csrf = String(json.csrfToken);
    return { status: response.status, json };
  }
  get = (path: string) => this.request("GET", path);
  post = (path: string, body: unknown = {}) => this.request("POST", path, body);
  delete = (path: string) => this.request("DELETE", path);
}

let counter = 0;
export const PASSWORD = "correct horse battery staple 42";

/** Registers an account over HTTP; contacts given here get confirmation codes. */
export async function register(
  baseUrl: string,
  contacts: { phone?: string; recoveryEmail?: string } = {},
): Promise<{ client: HttpClient; login: string }> {
  const client = new HttpClient(baseUrl);
  const login = `proc${++counter}x${Math.floor(Math.random() * 1e6)}`;
  const response = await client.post("/api/v1/accounts", {
    login,
    password: PASSWORD,
    firstName: "Alice",
    lastName: "Liddell",
    ...contacts,
  });
  if (response.status !== 201)
    throw new Error(`register failed: ${response.status} ${JSON.stringify(response.json)}`);
  return { client, login };
}
