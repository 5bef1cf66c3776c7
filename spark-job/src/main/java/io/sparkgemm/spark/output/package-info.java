/**
 * Outputs: the staged, all-or-nothing output folder, path checks, the row-shaped results (Y, dX)
 * as Parquet or .npy and the job report. Uses only {@code block} (how X was read decides how
 * rows are written).
 */
package io.sparkgemm.spark.output;
