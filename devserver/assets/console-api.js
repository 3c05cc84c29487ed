// The agent console's client of the JSON API under /agent/api (docs/handoff.md, "Agent
// console API"): one fetch wrapper whose failures are ApiErrors carrying the server's error
// code, or code "Network" with status 0 when the dev server cannot be reached. Every call
// but sign-in presents the agent's session secret in the X-Agent-Session header (never in
// the URL, so it stays out of logs and history).

const API = "/agent/api";

/** The signed-in agent's session secret, or null. */
let session = null;

/** Sets (or, with null, forgets) the session secret the calls present. */
export function setSession(secret) {
  session = secret;
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Calls the API; the JSON answer, or throws an ApiError. */
export async function api(method, path, body) {
  const init = { method, headers: { Accept: "application/json" } };
  if (session) init.headers["X-Agent-Session"] = session;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(API + path, init);
  } catch (e) {
    throw new ApiError(0, "Network", "The dev server cannot be reached.");
  }
  let data = null;
  try {
    data = await response.json();
  } catch (e) {
    data = null;
  }
  if (!response.ok) {
    const error = (data && data.error) || {};
    throw new ApiError(
      response.status,
      error.code || "Error",
      error.message || `Request failed (HTTP ${response.status}).`,
    );
  }
  return data;
}

export const enc = encodeURIComponent;
