package io.ipos;

/** What a call came to: a value, a remote exception, or a failure (nothing ran, the callee left...). */
record CallOutcome(Object value, RemoteFailure thrown, String failed) {
    static CallOutcome returned(Object value) {
        return new CallOutcome(value, null, null);
    }

    static CallOutcome threw(RemoteFailure thrown) {
        return new CallOutcome(null, thrown, null);
    }

    static CallOutcome failure(String why) {
        return new CallOutcome(null, null, why);
    }

    boolean ok() {
        return thrown == null && failed == null;
    }

    /** The caller's exception; {@code local}: the caller's frames, appended to a remote trace. */
    IposException error(String what, StackTraceElement[] local) {
        return thrown != null ? thrown.toException(what, local) : new IposException(failed);
    }
}
