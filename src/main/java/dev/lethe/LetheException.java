package dev.lethe;

/**
 * A failure the user can fix: bad input, a missing file, a diverging run. Its message is one line that
 * says what is wrong and what to do; the CLI prints it and exits with status 2. Programming errors are
 * not wrapped in it and keep their stack traces.
 */
public class LetheException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception whose message is shown to the user as is. */
  public LetheException(String message) {
    super(message);
  }

  /** Creates an exception whose message is shown to the user, keeping the cause for debugging. */
  public LetheException(String message, Throwable cause) {
    super(message, cause);
  }
}
