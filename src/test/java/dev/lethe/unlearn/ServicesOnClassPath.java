package dev.lethe.unlearn;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.Callable;

/**
 * Runs code with a test-resources directory added to the class path the {@link java.util.ServiceLoader} of the
 * current thread reads, as a plugin jar on {@code $LETHE_CLASSPATH} would be: the services files there are seen by
 * registries made inside, and by no other test.
 */
public final class ServicesOnClassPath {
  private ServicesOnClassPath() {}

  /** {@code body}'s result, with test resource directory {@code dir} (such as {@code plugin}) on the class path. */
  public static <T> T call(String dir, Callable<T> body) throws Exception {
    URL root = ServicesOnClassPath.class.getResource("/" + dir + "/");
    if (root == null) {
      throw new IllegalStateException("no test resource directory " + dir);
    }
    Thread thread = Thread.currentThread();
    ClassLoader saved = thread.getContextClassLoader();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {root}, saved)) {
      thread.setContextClassLoader(loader);
      return body.call();
    } finally {
      thread.setContextClassLoader(saved);
    }
  }
}
