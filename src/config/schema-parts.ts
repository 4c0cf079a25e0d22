import { z } from "zod";

export const nonEmpty = z.string().trim().min(1, "must not be empty");
export const globList = z.array(nonEmpty).min(1, "must list at least one pattern");
export const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });
