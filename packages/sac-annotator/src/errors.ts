/** Text or tags that cannot be serialised into, or parsed back from, the State-Action Chain format. */
export class SacFormatError extends Error {
  override readonly name = "SacFormatError";
}

/** A file this package reads (annotations, trajectories) is missing or malformed; the message names the file and line. */
export class SacFileError extends Error {
  override readonly name = "SacFileError";
  constructor(
    readonly file: string,
    message: string,
    readonly line?: number,
  ) {
    super(`${file}${line === undefined ? "" : ` line ${line}`}: ${message}`);
  }
}
