export * from "./users";
export * from "./groups";
export * from "./collections";
export * from "./documents";
export * from "./jobs";
export * from "./conversations";
export * from "./audit";
export * from "./review";
