import { describe, expect, it } from "vitest";
import { describePiiCounts, detectPii, maskPii, resolveOverlaps, type PiiFinding } from "./pii";

const types = (text: string, opts?: Parameters<typeof detectPii>[1]) =>
  detectPii(text, opts).map((f) => [f.type, f.text]);

describe("detectPii", () => {
  it("finds a US SSN with its span and refuses the SSA's never-issued ranges", () => {
    const text = "Employee SSN: 536-22-1987 on file.";
    const [f] = detectPii(text);
    expect(f).toMatchObject({ type: "ssn", text: "536-22-1987", start: 14, end: 25 });
    expect(f!.confidence).toBeGreaterThan(0.9);
    for (const bad of ["000-12-3456", "666-45-1234", "912-70-1234", "536-00-1987", "536-22-0000"])
      expect(types(`SSN ${bad}`)).toEqual([]);
  });

  it("needs a cue for a bare nine-digit number, and an invoice cue rules it out", () => {
    expect(types("Invoice 536221987 is due.")).toEqual([]);
    expect(types("Reference 536-22-1987")).toEqual([]);
    expect(types("SSN 536221987")).toEqual([["ssn", "536221987"]]);
  });

  it("accepts payment cards only with a valid Luhn digit, issuer range and length", () => {
    expect(types("Card 4111 1111 1111 1111 exp 04/27")).toEqual([["credit_card", "4111 1111 1111 1111"]]);
    expect(types("Amex 3782 822463 10005")).toEqual([["credit_card", "3782 822463 10005"]]);
    expect(types("Card 4111 1111 1111 1112")).toEqual([]); // Luhn fails
    expect(types("Card 9111 1111 1111 1115")).toEqual([]); // no issuer starts with 9
    expect(types("Order number 4111 1111 1111 1111 shipped")).toEqual([]);
  });

  it("checks IBANs with mod-97 and the country's length, and stops at the next word", () => {
    expect(types("Pay IBAN DE89 3704 0044 0532 0130 00 and confirm.")).toEqual([
      ["iban", "DE89 3704 0044 0532 0130 00"],
    ]);
    expect(types("GB82WEST12345698765432")).toEqual([["iban", "GB82WEST12345698765432"]]);
    expect(types("IBAN DE88 3704 0044 0532 0130 00")).toEqual([]); // wrong check digits
  });

  it("finds emails but not asset names, and user:password in a URL is a password", () => {
    expect(types("Write to privacy-officer@clinic.com today")).toEqual([["email", "privacy-officer@clinic.com"]]);
    expect(types("Use logo@2x.png on retina screens")).toEqual([]);
    expect(types("postgres://app:S3cr3tPa55@db.internal:5432/main")).toEqual([["password", "S3cr3tPa55"]]);
  });

  it("validates phone numbers and ignores ISBNs, dates and version strings", () => {
    expect(types("Call (202) 555-0143 to book.")).toEqual([["phone", "(202) 555-0143"]]);
    expect(types("London office: +44 20 7946 0958")).toEqual([["phone", "+44 20 7946 0958"]]);
    expect(types("ISBN 978-3-16-148410-0, effective 2023-10-15, version 10.4.2.1")).toEqual([]);
    expect(types("Berlin 030 901820", { phoneRegion: "DE" })).toEqual([["phone", "030 901820"]]);
  });

  it("takes a date as a date of birth only next to a birth cue", () => {
    expect(types("DOB: 03/14/1975")).toEqual([["date_of_birth", "03/14/1975"]]);
    expect(types("born on 4 July 1980 in Ohio")).toEqual([["date_of_birth", "4 July 1980"]]);
    expect(types("Effective date: 01/15/2020.")).toEqual([]);
    expect(types("Date of birth: 02/30/1980")).toEqual([]); // not a real day
  });

  it("finds labelled medical record numbers and site patterns", () => {
    expect(types("MRN: 00451234")).toEqual([["mrn", "00451234"]]);
    expect(types("The MRN field is required.")).toEqual([]);
    expect(types("Wristband H0345678", { mrnPatterns: [/\bH(\d{7})\b/] })).toEqual([["mrn", "0345678"]]);
  });

  it("finds IP addresses but not section numbers or version strings", () => {
    expect(types("Login from IP 203.0.113.45 blocked")).toEqual([["ip_address", "203.0.113.45"]]);
    expect(types("client 2001:db8:85a3::8a2e:370:7334")).toEqual([["ip_address", "2001:db8:85a3::8a2e:370:7334"]]);
    expect(types("See Section 1.2.3.4 and version 1.2.3.4; OID 1.3.6.1.4.1.311")).toEqual([]);
  });

  it("finds keys by prefix, JWTs, private keys and passwords, not the words around them", () => {
    expect(types("token ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R9s")[0]).toEqual([
      "secret",
      "ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R9s",
    ]);
    expect(
      types("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----")[0]![0],
    ).toBe("secret");
    expect(types("The wifi password is Tr0ub4dor&3")).toEqual([["password", "Tr0ub4dor&3"]]);
    expect(types("Passwords must be at least 12 characters. The password is required. password: ********")).toEqual([]);
    expect(types("The key AKIAXXXXXXXXXXXXXXXX is a placeholder.")).toEqual([]);
  });

  it("finds names after honorifics and labels, not job titles", () => {
    expect(types("Signed by Dr. Alice Wong.")).toEqual([["person_name", "Alice Wong"]]);
    expect(types("Patient: John Smith")).toEqual([["person_name", "John Smith"]]);
    expect(types("Prepared by: Information Security Team. Attn: Accounts Payable")).toEqual([]);
    expect(types("Third-Party Service Provider\nTesting")).toEqual([]);
  });

  it("limits detection to the requested types", () => {
    expect(types("SSN 536-22-1987, email a@b.org", { types: ["email"] })).toEqual([["email", "a@b.org"]]);
  });
});

describe("maskPii", () => {
  it("replaces each span with its token and keeps everything else", () => {
    const text = "Patient John Smith, SSN 536-22-1987, card 4111 1111 1111 1111, email j.smith@mail.com.";
    expect(maskPii(text, detectPii(text))).toBe("Patient [NAME], SSN [SSN], card [CARD], email [EMAIL].");
  });

  it("keeps the stronger of two overlapping findings", () => {
    const weak: PiiFinding = { type: "phone", start: 5, end: 15, text: "", confidence: 0.6 };
    const strong: PiiFinding = { type: "credit_card", start: 0, end: 19, text: "", confidence: 0.9 };
    expect(resolveOverlaps([weak, strong])).toEqual([strong]);
    expect(maskPii("4111 1111 1111 1111 ok", [weak, strong])).toBe("[CARD] ok");
  });
});

describe("describePiiCounts", () => {
  it("names kinds and counts, never values", () => {
    expect(describePiiCounts({ ssn: 2, iban: 1 })).toBe("2 US Social Security numbers and 1 IBAN");
    expect(describePiiCounts({})).toBe("");
  });
});
