export { engineCartViews, engineGroupViews, lazyEngineViews } from "./engine-views";
export type {
  CartPageModel,
  CartPageOutcome,
  CartViews,
  GroupPageModel,
  GroupViews,
  WebSender,
} from "./model";
export { createWebRouter, type WebDeps } from "./router";
