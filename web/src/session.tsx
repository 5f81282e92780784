import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { ApiError, api, client, onSessionLost, setCsrfToken } from "./api";
import type { Account, SessionInfo, SignedInInfo } from "./types";

/** The session as an answer tells it; a sign-in's answer also counts the failures before it. */
type SessionAnswer = SessionInfo & Partial<Pick<SignedInInfo, "failedSignIns">>;

type Status = "loading" | "visitor" | "signed-in";
export type EndReason = "signedOut" | "lost";

interface SessionContextValue {
  status: Status;
  accountId: string | null;
  account: Account | null;
  /** Why the last session ended: the user signed out, or the server ended it (idle, elsewhere). */
  ended: EndReason | null;
  /** Failed sign-ins since the previous one, told once after signing in (null: nothing to tell). */
  failedSignIns: number | null;
  dismissFailedSignIns(): void;
  signedIn(info: SessionAnswer): void;
  signedOut(reason?: EndReason): void;
  refreshAccount(): Promise<Account | null>;
  /** Re-reads the session (its anti-CSRF token changes when the server rotates the session). */
  refreshSession(): Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<Status>("loading");
  const [accountId, setAccountId] = useState<string | null>(null);
  const [account, setAccount] = useState<Account | null>(null);
  const [ended, setEnded] = useState<EndReason | null>(null);
  const [failedSignIns, setFailedSignIns] = useState<number | null>(null);
  const dismissFailedSignIns = useCallback(() => setFailedSignIns(null), []);

  const signedIn = useCallback((info: SessionAnswer) => {
    // Only a sign-in's answer carries the count; re-reading the session keeps what is shown.
    if (info.failedSignIns !== undefined)
      setFailedSignIns(info.failedSignIns > 0 ? info.failedSignIns : null);
    setCsrfToken(info.csrfToken);
    setAccountId(info.accountId);
    setStatus("signed-in");
    setEnded(null);
  }, []);

  const signedOut = useCallback((reason?: EndReason) => {
    setCsrfToken(null);
    setFailedSignIns(null);
    setEnded(reason ?? null);
    setAccountId(null);
    setAccount(null);
    setStatus("visitor");
  }, []);

  const refreshSession = useCallback(async () => {
    // No session hint (SESSION_HINT_COOKIE in src/http/types.ts): a visitor, known without a 401.
    if (!document.cookie.split("; ").includes("mfd_signed_in=1")) {
      signedOut();
      return;
    }
    try {
      const info = await api(() => client.GET("/api/v1/session"), { expectUnauthenticated: true });
      signedIn(info);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) signedOut();
      else throw error;
    }
  }, [signedIn, signedOut]);

  const refreshAccount = useCallback(async () => {
    try {
      const next = await api(() => client.GET("/api/v1/account"));
      setAccount(next);
      return next;
    } catch {
      return null;
    }
  }, []);

  useEffect(() => {
    refreshSession().catch(() => signedOut());
  }, [refreshSession, signedOut]);

  useEffect(() => {
    onSessionLost(() => signedOut("lost"));
    return () => onSessionLost(null);
  }, [signedOut]);

  useEffect(() => {
    if (status === "signed-in") void refreshAccount();
  }, [status, refreshAccount]);

  const value = useMemo(
    () => ({
      status,
      accountId,
      account,
      ended,
      failedSignIns,
      dismissFailedSignIns,
      signedIn,
      signedOut,
      refreshAccount,
      refreshSession,
    }),
    [
      status,
      accountId,
      account,
      ended,
      failedSignIns,
      dismissFailedSignIns,
      signedIn,
      signedOut,
      refreshAccount,
      refreshSession,
    ],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}
