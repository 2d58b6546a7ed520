export type Role = "admin" | "compliance" | "employee";
