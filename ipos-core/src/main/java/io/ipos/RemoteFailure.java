package io.ipos;

import io.ipos.serialization.ValueKind;
import io.ipos.serialization.ValueReader;
import io.ipos.serialization.ValueWriter;

import java.util.ArrayList;
import java.util.List;

/**
 * An exception thrown by an exposed implementation, as it travels in a RESULT frame:
 * {@code [class name, message or nil, [[class, method, file or nil, line]...], cause or nil]}, in
 * the wire format. Only strings and numbers: the caller rebuilds it as a {@link RemoteException},
 * never as the class it names.
 */
record RemoteFailure(String className, String message, StackTraceElement[] trace, RemoteFailure cause) {
    /** The most frames of one exception that travel. */
    static final int MAX_FRAMES = 256;
    /** The most causes that travel. */
    static final int MAX_CAUSES = 8;
    /** The longest message that travels, in chars. */
    static final int MAX_MESSAGE = 4096;

    static void write(ValueWriter w, Throwable t) {
        write(w, t, 0);
    }

    private static void write(ValueWriter w, Throwable t, int depth) {
        w.writeArrayHeader(4);
        w.writeString(t.getClass().getName());
        String m = t.getMessage();
        if (m == null) {
            w.writeNil();
        } else {
            w.writeString(clean(m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE) + "..." : m));
        }
        StackTraceElement[] trace = t.getStackTrace();
        int n = Math.min(trace.length, MAX_FRAMES);
        w.writeArrayHeader(n);
        for (int i = 0; i < n; i++) {
            StackTraceElement e = trace[i];
            w.writeArrayHeader(4);
            w.writeString(clean(e.getClassName()));
            w.writeString(clean(e.getMethodName()));
            if (e.getFileName() == null) {
                w.writeNil();
            } else {
                w.writeString(clean(e.getFileName()));
            }
            w.writeLong(e.getLineNumber());
        }
        Throwable cause = t.getCause();
        if (cause == null || cause == t || depth + 1 >= MAX_CAUSES) {
            w.writeNil();
        } else {
            write(w, cause, depth + 1);
        }
    }

    /** A String that travels exactly in every format: a lone surrogate becomes U+FFFD. */
    private static String clean(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean lone = Character.isHighSurrogate(c) ? i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))
                    : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
            if (lone && b == null) {
                b = new StringBuilder(s.substring(0, i));
            }
            if (b != null) {
                b.append(lone ? '\uFFFD' : c);
            }
        }
        return b == null ? s : b.toString();
    }

    /** @throws io.ipos.serialization.WireException or IllegalArgumentException on malformed input */
    static RemoteFailure read(ValueReader r) {
        return read(r, 0);
    }

    private static RemoteFailure read(ValueReader r, int depth) {
        if (depth >= MAX_CAUSES || r.readArrayHeader() != 4) {
            throw new IllegalArgumentException("malformed exception");
        }
        String className = r.readString();
        String message = r.nextKind() == ValueKind.NIL ? nil(r) : r.readString();
        int n = r.readArrayHeader();
        if (n < 0 || n > MAX_FRAMES) {
            throw new IllegalArgumentException("malformed stack trace");
        }
        List<StackTraceElement> frames = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (r.readArrayHeader() != 4) {
                throw new IllegalArgumentException("malformed stack frame");
            }
            String cls = r.readString();
            String method = r.readString();
            String file = r.nextKind() == ValueKind.NIL ? nil(r) : r.readString();
            frames.add(new StackTraceElement(cls, method, file, (int) r.readLong()));
        }
        RemoteFailure cause = r.nextKind() == ValueKind.NIL ? (RemoteFailure) nilOf(r) : read(r, depth + 1);
        return new RemoteFailure(className, message, frames.toArray(new StackTraceElement[0]), cause);
    }

    private static String nil(ValueReader r) {
        r.readNil();
        return null;
    }

    private static Object nilOf(ValueReader r) {
        r.readNil();
        return null;
    }

    /**
     * The exception a caller sees: the remote class and message, where it was thrown ({@code what}),
     * the remote frames, then {@code local} (the caller's own frames, or none).
     */
    RemoteException toException(String what, StackTraceElement[] local) {
        RemoteException c = cause == null ? null : cause.toException(what, new StackTraceElement[0]);
        RemoteException e = new RemoteException(className, className + (message != null ? ": " + message : "")
                + " (thrown by " + what + ")", c);
        StackTraceElement[] all = new StackTraceElement[trace.length + local.length];
        System.arraycopy(trace, 0, all, 0, trace.length);
        System.arraycopy(local, 0, all, trace.length, local.length);
        e.setStackTrace(all);
        return e;
    }
}
