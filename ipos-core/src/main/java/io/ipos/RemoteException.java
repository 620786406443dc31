package io.ipos;

/**
 * What a proxy call's caller gets when the implementation, in the process that exposed it, threw:
 * the thrown exception's class by name ({@link #remoteClassName()}), its message, and its stack
 * trace as it was there (followed, for a blocking call, by the caller's own frames). The remote
 * exception's cause, if it had one, is this exception's {@link #getCause()}, another
 * {@code RemoteException}.
 *
 * <p>No class is ever instantiated from a name that arrives over a link: the caller learns the
 * remote class only as a string, so a checked exception the method declares arrives as this
 * unchecked one too. Compare {@link #remoteClassName()} to tell them apart.
 */
public class RemoteException extends IposException {
    private static final long serialVersionUID = 1L;

    private final String remoteClassName;

    /**
     * Creates one, as the caller's side does from a RESULT frame.
     *
     * @param remoteClassName the thrown exception's class name
     * @param message the whole message (the remote class, its message and where it was thrown)
     * @param cause the remote cause, or null
     */
    RemoteException(String remoteClassName, String message, RemoteException cause) {
        super(message, cause);
        this.remoteClassName = remoteClassName;
    }

    /**
     * The class of the exception the implementation threw, by name only (for example
     * {@code "java.lang.IllegalArgumentException"}): the class itself may not even exist here.
     *
     * @return the fully qualified class name
     */
    public String remoteClassName() {
        return remoteClassName;
    }
}
