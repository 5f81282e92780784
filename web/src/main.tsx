import { StrictMode, useSyncExternalStore } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { currentLocale, onLocaleChange } from "./i18n";
import "./styles.css";

/** The console, drawn anew in the chosen language when the reader switches it. */
function Console() {
  const locale = useSyncExternalStore(onLocaleChange, currentLocale);
  return <App key={locale} />;
}

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <Console />
    </StrictMode>,
  );
}
