import type { RequestHandler } from "express";
import { HttpError } from "../domain/http-error.js";

/** Every intake takes POST only: anything else is a 405 naming the method it allows. */
export const postOnly: RequestHandler = (req, _res, next) => {
  if (req.method !== "POST") throw new HttpError(405, "use POST", true, { Allow: "POST" });
  next();
};
