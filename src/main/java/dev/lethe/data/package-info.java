/**
 * Data for Lethe: {@link dev.lethe.data.Dataset} (images, labels and stable sample ids held in flat
 * arrays; yours from arrays with {@code Dataset.of}), readers for IDX and CIFAR binary files, {@link
 * dev.lethe.data.DatasetLoader} for the named datasets, seeded {@link dev.lethe.data.Splits}, and the path from a
 * user's {@link dev.lethe.data.ForgetSpec} (parsed, or from its factories) to the {@link dev.lethe.data.ForgetTask}
 * every later stage works on.
 *
 * <p>A sample's id is its index in the source file, so it stays the same across splits, subsets and
 * runs; forget sets are stated and hashed in ids, never in positions.
 *
 * <p>May use: no other Lethe package (only {@link dev.lethe.LetheException}).
 */
package dev.lethe.data;
