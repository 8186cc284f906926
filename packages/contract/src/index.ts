export * from "./catalogue.js";
export * from "./runtime.js";
