/** Types of scripts/ensure-build.js (plain JavaScript so it runs before anything is compiled). */
/** TokenLab's root folder. */
export declare const root: string;
/** The files a complete build produces. */
export declare const buildOutputs: string[];
/** Why a build is needed, or undefined when out/ is current. */
export declare function buildReason(): string | undefined;
/** Runs `electron-vite build` when needed; true when out/ is usable afterwards. */
export declare function ensureBuild(options?: { log?: (line: string) => void }): boolean;
