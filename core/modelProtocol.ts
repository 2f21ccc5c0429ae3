/**
 * What the model program says while it runs (ARCHITECTURE.md, "Contract:
 * model output"): one JSON object per line on stdout. The model writes it;
 * the model-job activity reads it from the job's log.
 */

/** 'local': each node at its own CFL step; 'global': every node at the finest. */
export type TimeStepping = 'local' | 'global';

export type RunEvent =
  | {
    event: 'start';
    /** Absent from the built-in model's line; 'schism' from SCHISM's adapter (activities/jobs/schismRun.ts), whose other fields are those of SchismStart. */
    engine?: undefined;
    run: string;
    start: string;
    nodes: number;
    triangles: number;
    threads: number;
    time_stepping: TimeStepping;
    dt: number;
    first_step: number;
    steps: number;
    simulated_s: number;
    total_s: number;
  }
  | ({ event: 'start' } & SchismStart)
  | { event: 'progress'; simulated_s: number; total_s: number; wall_s: number }
  | { event: 'output'; file: string }
  | ({ event: 'done' } & ModelRunSummary);

/** How a SCHISM run starts: what param.nml and hgrid.gr3 say, and the command that runs pschism. */
export interface SchismStart {
  engine: 'schism';
  run: string;
  start: string;
  nodes: number;
  triangles: number;
  dt: number;
  steps: number;
  simulated_s: number;
  total_s: number;
  command: string[];
}

/** A SCHISM run's end: its steps, the model time it reached (from outputs/mirror.out), and the hot start it left. */
export interface SchismRunSummary {
  engine: 'schism';
  steps: number;
  simulated_s: number;
  wall_s: number;
  /** outputs/hotstart_it=<step>.nc, relative to the run directory; null when the run writes none. */
  hotstart: string | null;
}

/** What a model job reports at its end, whichever model ran. */
export type ModelRunSummary = RunSummary | SchismRunSummary;

/** The built-in model's summary. */
export interface RunSummary {
  engine?: undefined;
  /** Base steps run (from the first step to the last). */
  steps: number;
  /** CFL sub-steps the solver took for them. */
  substeps: number;
  /** Sub-steps (or local-stepping cycles) undone because a depth went negative, and retried smaller. */
  rejected: number;
  wall_s: number;
  /** Triangles × sub-steps per second of solver time. */
  triangle_steps_per_s: number;
  /** Water volume (m³) at the end minus at the start; open boundaries exchange water, so this is not an error by itself. */
  volume_change_m3: number;
  volume_change_relative: number;
  /** Highest elevation (m) of a wet node over the output frames and the end state. */
  max_elevation_m: number;
  /** Wall seconds by part: the solver (including the boundary forcing), the boundary forcing alone, atmosphere reads, the wave step, outputs. */
  timing_s: { solver: number; boundary: number; atmosphere: number; waves: number; output: number };
}
