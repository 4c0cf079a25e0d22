import type { BuildLog } from "./build-log.js";
import { completeBuild, endPhase, enterPhase, openPhase, type EndStatus, type LocalBuildRecord, type PhaseContext, type PhaseType } from "./build-record.js";

// The log starts where CodeBuild's does: the phases before DOWNLOAD_SOURCE happen before a container exists.
const SILENT: ReadonlySet<PhaseType> = new Set(["SUBMITTED", "QUEUED", "PROVISIONING", "COMPLETED"]);

/**
 * Moves a build through its phases: updates the record, persists it (so polls after a restart
 * see the same), and writes CodeBuild's phase lines to the log.
 */
export class PhaseTracker {
  constructor(
    readonly record: LocalBuildRecord,
    private readonly log: BuildLog,
    private readonly now: () => number,
    private readonly persist: (rec: LocalBuildRecord) => void,
  ) {}

  /** The phase now running, if one is open. */
  get current(): PhaseType | undefined {
    return openPhase(this.record)?.type;
  }

  enter(type: PhaseType): void {
    enterPhase(this.record, type, this.now());
    if (!SILENT.has(type)) this.log.line(`Entering phase ${type}`);
    this.persist(this.record);
  }

  end(status: EndStatus, context?: PhaseContext): void {
    const type = this.current;
    if (!type) return;
    endPhase(this.record, status, this.now(), context);
    if (!SILENT.has(type)) {
      this.log.line(`Phase complete: ${type} State: ${status}`);
      this.log.line(`Phase context status code: ${context?.statusCode ?? ""} Message: ${context?.message ?? ""}`);
    }
    this.persist(this.record);
  }

  /** Ends the open phase as SUCCEEDED and enters the next one. */
  next(type: PhaseType): void {
    this.end("SUCCEEDED");
    this.enter(type);
  }

  /**
   * FINALIZING (when not already there), then COMPLETED with the build's final status. The log
   * is flushed and closed before the record says COMPLETED: whoever sees a finished build (a
   * poll, the board) finds its whole log.
   */
  async complete(status: EndStatus): Promise<void> {
    if (this.current !== "FINALIZING") {
      this.end("SUCCEEDED");
      this.enter("FINALIZING");
    }
    this.log.line("Phase complete: FINALIZING State: SUCCEEDED");
    this.log.line("Phase context status code:  Message: ");
    this.log.line(`Build ${status === "SUCCEEDED" ? "succeeded" : `ended: ${status}`}`);
    await this.log.close();
    endPhase(this.record, "SUCCEEDED", this.now());
    completeBuild(this.record, status, this.now());
    this.persist(this.record);
  }
}
