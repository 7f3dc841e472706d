import { APP_VERSION } from "../../../lib/version";

export function GET() {
  return Response.json({ message: "hello", version: APP_VERSION });
}
