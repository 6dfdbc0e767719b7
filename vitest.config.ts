import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url))

export default defineConfig({
  resolve: {
    // Examples import the package by name, as users do; here that is the source.
    alias: [
      { find: /^effect-discord-gateway$/, replacement: src("index.ts") },
      { find: /^effect-discord-gateway\/testing$/, replacement: src("testing/index.ts") },
      { find: /^effect-discord-gateway\/(.*)$/, replacement: src("$1.ts") }
    ]
  },
  test: {
    include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
    exclude: ["scratchpad/**", "node_modules/**", "dist/**"],
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
