import "server-only";
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import * as common from "@zxcvbn-ts/language-common";
import * as en from "@zxcvbn-ts/language-en";
import { AppError } from "@/lib/errors";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "./password-policy";

// The password policy beyond length: zxcvbn-ts's estimate of how many guesses a password takes,
// with its offline lists of common and leaked passwords, names and words (shipped in npm, so
// nothing is fetched). Score 3 ("safely unguessable") is the floor; the user's own email and
// name count as guessable words.

const MIN_SCORE = 3;

let factory: ZxcvbnFactory | undefined;
function estimator(): ZxcvbnFactory {
  factory ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
  });
  return factory;
}

/** Why a password is refused, in words for the person choosing it; null when it is acceptable. */
export async function passwordProblem(
  password: string,
  about: { email?: string; name?: string } = {},
): Promise<string | null> {
  if (password.length < PASSWORD_MIN_LENGTH) return `Password must be at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (password.length > PASSWORD_MAX_LENGTH) return `Password must be at most ${PASSWORD_MAX_LENGTH} characters.`;
  // Lower-cased: zxcvbn compares dictionary words with the lower-cased password.
  const personal = [about.email, about.email?.split("@")[0], ...(about.name?.split(/\s+/) ?? [])]
    .filter((w): w is string => Boolean(w && w.length >= 3))
    .map((w) => w.toLowerCase());
  const result = estimator().check(password, personal);
  if (result.score >= MIN_SCORE) return null;
  const why = result.feedback.warning ?? "It would be guessed quickly.";
  const how = result.feedback.suggestions.join(" ") || "Use a longer passphrase of several unrelated words.";
  return `This password is too easy to guess. ${why} ${how}`;
}

/** Throws a 400 naming the problem when the password does not meet the policy. */
export async function assertAcceptablePassword(
  password: string,
  about: { email?: string; name?: string } = {},
): Promise<void> {
  const problem = await passwordProblem(password, about);
  if (problem) throw new AppError("invalid_request", problem, { details: { field: "password" } });
}
