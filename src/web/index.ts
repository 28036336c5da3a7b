export { engineCartViews, engineGroupViews } from "./engine-views";
export type {
  CartPageModel,
  CartPageOutcome,
  CartViews,
  GroupExportModel,
  GroupPageModel,
  GroupViews,
  WebSender,
} from "./model";
export type { PlatformOnPage } from "./platforms";
export { createWebRouter, type WebDeps } from "./router";
