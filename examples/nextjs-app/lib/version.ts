export const APP_VERSION = "v2";
