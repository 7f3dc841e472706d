import type { ReactNode } from "react";

export const metadata = {
  title: "Anchor Next.js example",
  description: "Minimal App Router app deployed by Anchor via OpenNext",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
