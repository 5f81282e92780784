import { BrowserRouter, Link, Navigate, Route, Routes } from "react-router";
import { AccountLayout, ConsoleLayout, OpenLayout, VisitorLayout } from "./components/Layout";
import { Page } from "./components/ui";
import { HOME } from "./home";
import { t } from "./i18n";
import { Activity } from "./pages/account/Activity";
import { ConfirmContacts } from "./pages/account/ConfirmContacts";
import { Contacts } from "./pages/account/Contacts";
import { Profile } from "./pages/account/Profile";
import { Security } from "./pages/account/Security";
import { Sessions } from "./pages/account/Sessions";
import { Tokens } from "./pages/account/Tokens";
import { Deputies } from "./pages/deputies/Deputies";
import { Dns } from "./pages/dns/Dns";
import { Connect } from "./pages/domains/Connect";
import { Domain } from "./pages/domains/Domain";
import { DomainActivity } from "./pages/domains/DomainActivity";
import { Domains } from "./pages/domains/Domains";
import { AcceptTransfer, CancelByLink, ConfirmTransfer } from "./pages/handovers/TransferLinks";
import { StartRestore, Transfers } from "./pages/handovers/Transfers";
import { Mailboxes } from "./pages/mailboxes/Mailboxes";
import { Desk } from "./pages/support/Desk";
import { DeskTicket } from "./pages/support/DeskTicket";
import { MyTickets } from "./pages/support/MyTickets";
import { SupportForm } from "./pages/support/SupportForm";
import { TicketPage } from "./pages/support/TicketPage";
import { Register } from "./pages/visitor/Register";
import { Restore } from "./pages/visitor/Restore";
import { SignIn } from "./pages/visitor/SignIn";
import { SessionProvider, useSession } from "./session";

function NotFound() {
  const { status } = useSession();
  return (
    <Page title={t("notFound.title")} intro={t("notFound.text")} narrow>
      <Link to={status === "signed-in" ? HOME : "/sign-in"}>{t("notFound.back")}</Link>
    </Page>
  );
}

function Root() {
  const { status } = useSession();
  if (status === "loading") return null;
  return <Navigate to={status === "signed-in" ? HOME : "/sign-in"} replace />;
}

export function App() {
  return (
    <BrowserRouter>
      <SessionProvider>
        <Routes>
          <Route index element={<Root />} />
          <Route element={<VisitorLayout />}>
            <Route path="sign-in" element={<SignIn />} />
            <Route path="register" element={<Register />} />
            <Route path="restore" element={<Restore />} />
          </Route>
          {/* Both visitors and the signed in: the support form and a request's page, and the owner's
              one-click cancel of a hand-over (the link's secret is the authority). */}
          <Route element={<OpenLayout />}>
            <Route path="support/new" element={<SupportForm />} />
            <Route path="support/tickets/:id" element={<TicketPage />} />
            <Route path="transfer/cancel/:id" element={<CancelByLink />} />
            <Route path="handover/cancel/:id" element={<CancelByLink />} />
          </Route>
          <Route element={<ConsoleLayout />}>
            <Route path="support" element={<MyTickets />} />
            <Route path="support/desk" element={<Desk />} />
            <Route path="support/desk/:id" element={<DeskTicket />} />
            <Route path="domains" element={<Domains />} />
            <Route path="domains/new" element={<Connect />} />
            <Route path="domains/:name" element={<Domain />} />
            <Route path="domains/:name/mailboxes" element={<Mailboxes />} />
            <Route path="domains/:name/administrators" element={<Deputies />} />
            <Route path="domains/:name/activity" element={<DomainActivity />} />
            <Route path="domains/:name/dns" element={<Dns />} />
            <Route path="transfers" element={<Transfers />} />
            <Route path="transfers/restore" element={<StartRestore />} />
            <Route path="transfer/accept/:id" element={<AcceptTransfer />} />
            <Route path="transfer/confirm/:id" element={<ConfirmTransfer />} />
            <Route path="account/confirm" element={<ConfirmContacts />} />
            <Route path="account" element={<AccountLayout />}>
              <Route index element={<Profile />} />
              <Route path="contacts" element={<Contacts />} />
              <Route path="security" element={<Security />} />
              <Route path="sessions" element={<Sessions />} />
              <Route path="activity" element={<Activity />} />
              <Route path="tokens" element={<Tokens />} />
            </Route>
            <Route path="*" element={<NotFound />} />
          </Route>
        </Routes>
      </SessionProvider>
    </BrowserRouter>
  );
}
