import type { OpenNextConfig } from "@opennextjs/aws/types/open-next.js";

// Default OpenNext (AWS) configuration, except:
// - on-demand revalidation (revalidatePath/revalidateTag) purges the CDN:
//   the `cloudfront` cdnInvalidation override sends CreateInvalidation for
//   the revalidated paths to CLOUDFRONT_DISTRIBUTION_ID, which Anchor sets
//   on the server (docs/isr.md). Without it a revalidated page stays cached
//   at the edge for its s-maxage.
// - the image optimization function gets sharp's linux-x64 (glibc) binaries
//   instead of the default linux-arm64 ones, so the output can run on an
//   x86_64 Linux host. The sharp version matches @opennextjs/aws 4.1.16's
//   default (SHARP_VERSION).
const config = {
  default: {
    override: {
      cdnInvalidation: "cloudfront",
    },
  },
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
