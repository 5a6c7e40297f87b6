/** The folder holding the default models (`<name>.onnx` with its `<name>.json` manifest), inside this package. */
export declare const modelsDir: string;
/** The manifest path of a default model, e.g. `manifestPath("encoder")`. */
export declare function manifestPath(name: string): string;
/** The names of the default models this package holds (empty before the package is built). */
export declare function modelNames(): string[];
