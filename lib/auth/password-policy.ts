// Shared by server validation and the forms' hints; no secrets here, so safe for the browser.
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;
