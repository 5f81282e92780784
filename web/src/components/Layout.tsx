import { useEffect, useRef } from "react";
import { Navigate, NavLink, Outlet, useLocation } from "react-router";
import { api, client } from "../api";
import { HOME } from "../home";
import { currentLocale, LANGUAGE_NAMES, LOCALES, setLocale, t, tp } from "../i18n";
import { useSession } from "../session";
import { ReauthProvider } from "./ReauthDialog";
import { Loading } from "./ui";

function Brand() {
  return (
    <span className="brand">
      <span className="brand-mark" aria-hidden="true">
        <svg viewBox="0 0 32 32" width="28" height="28" role="presentation">
          <rect width="32" height="32" rx="7" fill="currentColor" />
          <path d="M7 10h18v12H7z" fill="none" stroke="#fff" strokeWidth="2.2" strokeLinejoin="round" />
          <path
            d="M7.5 10.5 16 17l8.5-6.5"
            fill="none"
            stroke="#fff"
            strokeWidth="2.2"
            strokeLinejoin="round"
          />
        </svg>
      </span>
      <span className="brand-name">{t("app.name")}</span>
      <span className="brand-tagline">{t("app.tagline")}</span>
    </span>
  );
}

/** The API documentation (served by mfd at /docs) and the language switcher, under every page. */
function Footer({ className }: { className: string }) {
  return (
    <footer className={className}>
      <span>{t("app.footer")}</span>
      <a href="/docs">{t("nav.apiDocs")}</a>
      <label className="language">
        <span>{t("nav.language")}</span>
        <select value={currentLocale()} onChange={(event) => setLocale(event.target.value)}>
          {LOCALES.map((code) => (
            <option key={code} value={code} lang={code}>
              {LANGUAGE_NAMES[code] ?? code}
            </option>
          ))}
        </select>
      </label>
    </footer>
  );
}

function SkipLink() {
  return (
    <a className="skip-link" href="#main">
      {t("nav.skip")}
    </a>
  );
}

/**
 * Pages for visitors: sign in, register, restore access. A signed-in user goes to the console
 * (pages for both are under `OpenLayout`).
 */
export function VisitorLayout() {
  const { status } = useSession();
  // Only someone who arrives signed in is sent on; a sign-in made here navigates by itself.
  const arrivedAs = useRef<string | null>(null);
  if (arrivedAs.current === null && status !== "loading") arrivedAs.current = status;
  if (status === "loading") return <Loading />;
  if (arrivedAs.current === "signed-in" && status === "signed-in") return <Navigate to={HOME} replace />;
  return <VisitorFrame />;
}

function VisitorFrame() {
  return (
    <div className="visitor">
      <SkipLink />
      <header className="visitor-header">
        <Brand />
      </header>
      <main id="main" className="visitor-main" tabIndex={-1}>
        <Outlet />
      </main>
      <Footer className="visitor-footer" />
    </div>
  );
}

/**
 * Pages for anyone (the support form, a request's page): inside the console when signed in, in the
 * visitors' frame otherwise, never sending anyone away.
 */
export function OpenLayout() {
  const { status } = useSession();
  if (status === "loading") return <Loading />;
  return status === "signed-in" ? <ConsoleLayout /> : <VisitorFrame />;
}

/** The console for a signed-in account: navigation, sign out, re-authentication dialog. */
export function ConsoleLayout() {
  const { status, account, signedOut, ended, failedSignIns, dismissFailedSignIns } = useSession();
  const location = useLocation();
  // Links such as /account/security#two-factor land on their section once it has rendered.
  useEffect(() => {
    if (!location.hash) return;
    const timer = window.setTimeout(() => {
      document.getElementById(decodeURIComponent(location.hash.slice(1)))?.scrollIntoView({ block: "start" });
    }, 100);
    return () => window.clearTimeout(timer);
  }, [location]);
  if (status === "loading") return <Loading />;
  if (status === "visitor") {
    // After "Sign out" the sign-in page says so; after a lost session it brings the user back here.
    return (
      <Navigate
        to="/sign-in"
        replace
        state={ended === "signedOut" ? {} : { from: location.pathname + location.search + location.hash }}
      />
    );
  }

  const signOut = async () => {
    try {
      await api(() => client.DELETE("/api/v1/session"));
    } catch {
      // Already gone on the server: signing out locally is what the user wants anyway.
    }
    signedOut("signedOut");
  };

  return (
    <ReauthProvider>
      <div className="console">
        <SkipLink />
        <header className="topbar">
          <div className="topbar-inner">
            <Brand />
            <nav aria-label={t("nav.main")} className="topnav">
              <NavLink to="/domains">{t("nav.domains")}</NavLink>
              <NavLink to="/transfers">{t("handovers.nav")}</NavLink>
              <NavLink to="/account">{t("nav.account")}</NavLink>
              <NavLink end to="/support">
                {t("nav.support")}
              </NavLink>
              {account?.isSupportAgent ? <NavLink to="/support/desk">{t("nav.supportDesk")}</NavLink> : null}
            </nav>
            <div className="topbar-user">
              {account ? (
                <span className="topbar-address" title={account.address}>
                  {account.address}
                </span>
              ) : null}
              <button type="button" className="button button-ghost button-small" onClick={signOut}>
                {t("nav.signOut")}
              </button>
            </div>
          </div>
        </header>
        {account && !account.complete && !location.pathname.startsWith("/account") ? (
          <div className="banner" role="note">
            <div className="banner-inner">
              {t("profile.incompleteBanner")}{" "}
              <NavLink to="/account">{t("profile.incompleteBanner.link")}</NavLink>
            </div>
          </div>
        ) : null}
        {failedSignIns ? (
          <div className="banner" role="alert">
            <div className="banner-inner">
              {tp("signIn.failedSince", failedSignIns)}{" "}
              <NavLink to="/account/activity" onClick={dismissFailedSignIns}>
                {t("signIn.failedSince.link")}
              </NavLink>{" "}
              <button
                type="button"
                className="button button-ghost button-small"
                onClick={dismissFailedSignIns}
              >
                {t("common.close")}
              </button>
            </div>
          </div>
        ) : null}
        <main id="main" className="console-main" tabIndex={-1}>
          <Outlet />
        </main>
        <Footer className="console-footer" />
      </div>
    </ReauthProvider>
  );
}

/** Settings pages share a second navigation. */
export function AccountLayout() {
  return (
    <div className="account-layout">
      <nav aria-label={t("nav.account")} className="subnav">
        <NavLink end to="/account">
          {t("nav.profile")}
        </NavLink>
        <NavLink to="/account/contacts">{t("nav.contacts")}</NavLink>
        <NavLink to="/account/security">{t("nav.security")}</NavLink>
        <NavLink to="/account/sessions">{t("nav.sessions")}</NavLink>
        <NavLink to="/account/activity">{t("nav.activity")}</NavLink>
        <NavLink to="/account/tokens">{t("nav.tokens")}</NavLink>
      </nav>
      <div className="account-content">
        <Outlet />
      </div>
    </div>
  );
}
