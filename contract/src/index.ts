export * from "./presets";
export * from "./plans";
export * from "./keys";
export * from "./messages";
