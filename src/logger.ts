import pino, { type Logger } from "pino";

/**
 * The process logger. Request headers and bodies are never logged; these paths are redacted
 * as a second line of defence should an object carrying them reach a log call.
 */
export function createLogger(level = process.env.LOG_LEVEL ?? "info", destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { app: "buildgate" },
    redact: {
      paths: ["headers", "*.headers", "authorization", "*.authorization", "secret", "*.secret", "secrets", "*.secrets", "token", "*.token", "cookie", "*.cookie", "signature", "*.signature", "webhookSecrets", "*.webhookSecrets"],
      censor: "[redacted]",
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
