import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `vite build web` (from the repository root) writes web/dist, which Fastify serves: index.html
// for page routes and /assets/* as immutable static files. The CSP forbids inline scripts, so
// nothing may be inlined into index.html except styles and data: images.
export default defineConfig({
  plugins: [react()],
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    modulePreload: { polyfill: false },
  },
  server: {
    // `npm run dev` serves the API on 8080; the Vite dev server forwards API calls to it.
    proxy: { "/api": "http://127.0.0.1:8080", "/dev": "http://127.0.0.1:8080" },
  },
});
