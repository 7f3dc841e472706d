import type { OpenNextConfig } from "@opennextjs/aws/types/open-next.js";

// Default OpenNext (AWS) configuration, except that the image optimization
// function gets sharp's linux-x64 (glibc) binaries instead of the default
// linux-arm64 ones, so the output can run on an x86_64 Linux host.
// The sharp version matches @opennextjs/aws 4.1.16's default (SHARP_VERSION).
const config = {
  default: {},
  imageOptimization: {
    install: {
      packages: ["sharp@0.35.5"],
      arch: "x64",
      os: "linux",
      libc: "glibc",
    },
  },
} satisfies OpenNextConfig;

export default config;
