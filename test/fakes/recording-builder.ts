import { BuilderError, type Builder, type StartRequest } from "../../src/domain/builder.js";

/** A Builder that records every start; `failWith` queues errors for the next starts. */
export class RecordingBuilder implements Builder {
  readonly starts: StartRequest[] = [];
  private readonly failures: BuilderError[] = [];

  failWith(...errors: BuilderError[]): this {
    this.failures.push(...errors);
    return this;
  }

  async start(request: StartRequest) {
    this.starts.push(request);
    const failure = this.failures.shift();
    if (failure) throw failure;
    return { buildId: `${request.project}:${this.starts.length}`, logsUrl: `https://logs.example/${this.starts.length}` };
  }
}

export const throttled = () => new BuilderError("ThrottlingException: Rate exceeded", true);
export const unknownProject = () => new BuilderError("ResourceNotFoundException: project not found", false);
