// Builder `local`: the local buildspec runner. The gateway's composition root needs only this file.
export { createLocalBuilder, type LocalBuilder } from "./local-builder.js";
export { defaultHostEnv, type LocalBuilderOptions, type LocalRunnerLog, type LocalSource } from "./local-builder-options.js";
export { localBuildPaths, type LocalBuildPaths } from "./record-files.js";
export type { LocalBuildSnapshot, LocalPhaseRecord, PhaseContext } from "./build-record.js";
export { parseBuildspec, BuildspecError, type Buildspec } from "./buildspec.js";
