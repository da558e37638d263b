// Vite build of the Vangrail web front end. The Fastify server serves dist/web
// under a strict CSP, so the build must emit only same-origin script and CSS files.
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const webRoot = fileURLToPath(new URL(".", import.meta.url));
const outDir = fileURLToPath(new URL("../dist/web", import.meta.url));
const apiTarget = process.env.VANGRAIL_API_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  root: webRoot,
  base: "/",
  plugins: [react()],
  build: {
    outDir,
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    // Keep fonts and images as files: the CSP allows data: only for images.
    assetsInlineLimit: 0,
  },
  server: {
    host: "127.0.0.1",
    port: 5173,
    strictPort: true,
    proxy: { "/api": { target: apiTarget, changeOrigin: false } },
  },
  preview: {
    host: "127.0.0.1",
    port: 4173,
    proxy: { "/api": { target: apiTarget, changeOrigin: false } },
  },
});
