package io.ipos.serialization;

import java.util.Collection;
import java.util.ConcurrentModificationException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Encodes and decodes values so that each arrives as exactly the Java type it left as.
 *
 * <p>Shareable values: {@code null}; {@code Boolean}; {@code Byte}, {@code Short},
 * {@code Integer}, {@code Long}, {@code Float}, {@code Double}, {@code Character}; {@code String};
 * {@code byte[]}; {@code BigInteger}, {@code BigDecimal}; {@code UUID}, {@code Instant},
 * {@code Duration}, {@code LocalDate}, {@code LocalTime}, {@code LocalDateTime},
 * {@code OffsetDateTime}, {@code ZonedDateTime}, {@code Period}, {@code YearMonth},
 * {@code ZoneId}, {@code URI}; maps, lists and sets of shareable values, nested; instances of
 * classes in the {@link ClassRegistry}; and {@link UnresolvedValue}s. The wire layout is in
 * {@code docs/protocol.md}, section "Values".
 *
 * <p>Thread-safe (the writer and reader passed in are not).
 */
public final class ValueCodec {
    /** The first tag reserved for ipos-core (container literals); {@link #read} rejects it. */
    public static final int FIRST_EXTERNAL_TAG = 40;
    /** The last tag reserved for ipos-core (container literals); {@link #read} rejects it. */
    public static final int LAST_EXTERNAL_TAG = 49;

    /*
     * Design notes. Writing dispatches on BuiltinType, cached per class, so an Integer or a String
     * costs one ClassValue lookup and a switch. Registered classes and plain collections share
     * BuiltinType.OTHER and are resolved through the registry at use, because registration can
     * happen at any time; the registry wins, so a registered class that implements List travels as
     * itself. Collections this codec made (FrozenList/FrozenSet/FrozenMap) are known to be deeply
     * immutable, so freeze() returns them as they are. Nesting is limited to MAX_DEPTH on every path,
     * so hostile input cannot overflow the stack and a collection that contains itself fails cleanly.
     */

    /** The deepest nesting of collections and registered forms that is written, read or frozen. */
    static final int MAX_DEPTH = 1000;

    private final ClassRegistry registry;
    /** How many registered instances {@link #read} built through their hooks (see {@link #registeredCreated}). */
    private int registeredCreated;

    /**
     * Creates a codec that knows the classes of {@code registry}.
     *
     * @param registry usually {@link ClassRegistry#global()}
     * @throws NullPointerException if {@code registry} is null
     */
    public ValueCodec(ClassRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * How many registered instances this codec's reads have built through their {@code from}
     * hooks so far: a reader that compares it before and after a decode knows whether the decoded
     * value holds objects that user code made (and that must encode again). Not thread-safe: one
     * codec per lock holder, as its readers are.
     *
     * @return the running count
     */
    public int registeredCreated() {
        return registeredCreated;
    }

    /**
     * Returns the registry this codec resolves registered classes with.
     *
     * @return the registry
     */
    public ClassRegistry registry() {
        return registry;
    }

    /**
     * Tells whether a value is null or an instance of an immutable built-in type: the boxed
     * primitives, {@code String}, {@code BigInteger}, {@code BigDecimal} and the JDK value types
     * listed in the class comment. Collections, {@code byte[]}, registered classes and unresolved
     * values are not scalars.
     *
     * @param value any object
     * @return {@code true} if it is a scalar
     */
    public static boolean isScalar(Object value) {
        return value == null || BuiltinType.of(value).scalar;
    }

    /**
     * Returns a scalar as it is once it is known to travel exactly: a {@code String}, or a
     * {@code URI}'s text, with a lone surrogate does not (msgpack would turn it into {@code '?'},
     * json and chronicle keep it), so it is refused. For callers that store scalars without
     * {@link #freeze}; {@code freeze} and {@link #write} check the same.
     *
     * @param scalar a value for which {@link #isScalar} holds
     * @return {@code scalar}
     * @throws IllegalArgumentException if it is a String or URI with a lone surrogate; the message
     *                                  names the surrogate, its index and what to do
     */
    public static Object checkScalar(Object scalar) {
        if (scalar instanceof String s) {
            checkString(s);
        } else if (scalar instanceof java.net.URI u) {
            checkString(u.toString());
        }
        return scalar;
    }

    private static String checkString(String s) {
        int at = loneSurrogate(s);
        if (at >= 0) {
            throw new IllegalArgumentException(ShareErrors.loneSurrogate(s.charAt(at), at));
        }
        return s;
    }

    /**
     * The index of the first lone surrogate in {@code s}: a high surrogate not followed by a low
     * one, or a low one not preceded by a high one; -1 if every surrogate is paired.
     */
    static int loneSurrogate(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            }
        }
        return -1;
    }

    /**
     * Whether two values are equal by the rule every process applies to stored values: a
     * {@code byte[]} by content, here and at any depth inside the collections this codec freezes;
     * everything else by {@code equals}. When one side is a frozen collection, its {@code equals}
     * decides, so a plain collection holding arrays compares by content with a frozen one.
     *
     * @param a a value, or null
     * @param b a value, or null
     * @return whether they are the same value
     */
    public static boolean sameValue(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (a instanceof byte[] x) {
            return b instanceof byte[] y && java.util.Arrays.equals(x, y);
        }
        if (b instanceof FrozenList || b instanceof FrozenMap || b instanceof FrozenSet) {
            return b.equals(a);
        }
        return a.equals(b);
    }

    /**
     * The hash that goes with {@link #sameValue}: a {@code byte[]} by content, everything else its
     * {@code hashCode} (frozen collections hash their arrays by content themselves).
     *
     * @param v a value, or null
     * @return its hash; 0 for null
     */
    public static int valueHash(Object v) {
        if (v == null) {
            return 0;
        }
        return v instanceof byte[] b ? java.util.Arrays.hashCode(b) : v.hashCode();
    }

    /**
     * Writes one value. Collections become frozen collections on the other side; a registered
     * instance is written with its hooks.
     *
     * @param w     the writer
     * @param value the value
     * @throws IllegalArgumentException        if the value (or something in it) is not shareable, a
     *                                         serialize hook fails, a String in it (or in a
     *                                         registered instance's serialized form) has a lone
     *                                         surrogate, or it is nested deeper than 1000 levels;
     *                                         the writer then holds part of the value
     * @throws ConcurrentModificationException if a collection changes while it is written
     */
    public void write(ValueWriter w, Object value) {
        write(w, value, 0);
    }

    private void write(ValueWriter w, Object value, int depth) {
        if (value == null) {
            w.writeNil();
            return;
        }
        BuiltinType type = BuiltinType.of(value);
        switch (type) {
            case INTEGER -> w.writeLong((Integer) value);
            case STRING -> w.writeString(checkString((String) value));
            case LONG -> {
                long v = (Long) value;
                if ((int) v == v) {
                    TaggedScalars.write(w, type, value);
                } else {
                    w.writeLong(v);
                }
            }
            case BOOLEAN -> w.writeBoolean((Boolean) value);
            case DOUBLE -> w.writeDouble((Double) value);
            case FLOAT -> w.writeFloat((Float) value);
            case BYTES -> {
                byte[] b = (byte[]) value;
                w.writeBinary(b, 0, b.length);
            }
            case FROZEN_LIST -> writeElements(w, Tags.FROZEN_LIST, (List<?>) value, depth);
            case FROZEN_SET -> writeElements(w, Tags.FROZEN_SET, (Set<?>) value, depth);
            case FROZEN_MAP -> writeEntries(w, (Map<?, ?>) value, depth);
            case UNRESOLVED -> {
                UnresolvedValue u = (UnresolvedValue) value;
                writeRegistered(w, u.typeName(), u.form(), depth);
            }
            case OTHER -> writeOther(w, value, depth);
            default -> TaggedScalars.write(w, type, value);
        }
    }

    private void writeOther(ValueWriter w, Object value, int depth) {
        RegisteredType registered = registry.find(value.getClass());
        if (registered != null) {
            Object form;
            try {
                form = registered.serialize(value);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("cannot share a " + registered.wireName
                        + ": its serialize hook failed: " + e + "; nothing was written: fix the hook (it must"
                        + " return a shareable form for every instance) or share a value it can serialize", e);
            }
            if (form == value) {
                throw new IllegalArgumentException("cannot share a " + registered.wireName
                        + ": its serialize hook returned the instance itself; return its serialized form");
            }
            writeRegistered(w, registered.wireName, form, depth);
        } else if (value instanceof List) {
            writeElements(w, Tags.FROZEN_LIST, (List<?>) value, depth);
        } else if (value instanceof Set) {
            writeElements(w, Tags.FROZEN_SET, (Set<?>) value, depth);
        } else if (value instanceof Map) {
            writeEntries(w, (Map<?, ?>) value, depth);
        } else {
            throw new IllegalArgumentException(ShareErrors.notShareable(value.getClass()));
        }
    }

    private void writeRegistered(ValueWriter w, String wireName, Object form, int depth) {
        checkWriteDepth(depth);
        w.writeArrayHeader(3);
        w.writeLong(Tags.REGISTERED);
        w.writeString(wireName);
        write(w, form, depth + 1);
    }

    private void writeElements(ValueWriter w, int tag, Collection<?> elements, int depth) {
        checkWriteDepth(depth);
        int n = elements.size();
        w.writeArrayHeader(n + 1);
        w.writeLong(tag);
        int written = 0;
        for (Object e : elements) {
            write(w, e, depth + 1);
            written++;
        }
        checkCount(n, written);
    }

    private void writeEntries(ValueWriter w, Map<?, ?> map, int depth) {
        checkWriteDepth(depth);
        int n = map.size();
        w.writeArrayHeader(2 * n + 1);
        w.writeLong(Tags.FROZEN_MAP);
        int written = 0;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            write(w, e.getKey(), depth + 1);
            write(w, e.getValue(), depth + 1);
            written++;
        }
        checkCount(n, written);
    }

    private static void checkWriteDepth(int depth) {
        if (depth >= MAX_DEPTH) {
            throw new IllegalArgumentException(ShareErrors.tooDeep());
        }
    }

    private static void checkCount(int expected, int written) {
        if (written != expected) {
            throw new ConcurrentModificationException("a collection of size " + expected + " yielded "
                    + written + " elements while it was written");
        }
    }

    /**
     * Reads one value.
     *
     * @param r the reader, positioned at the value
     * @return the value, of the exact type it was written as; collections are unmodifiable and
     * allow null; a registered class that is not registered here (or whose hook fails) is an
     * {@link UnresolvedValue}
     * @throws WireException on malformed input, an unknown tag, a tag reserved for ipos-core
     *                       ({@value #FIRST_EXTERNAL_TAG}..{@value #LAST_EXTERNAL_TAG}), or nesting
     *                       deeper than 1000 levels
     */
    public Object read(ValueReader r) {
        return read(r, 0);
    }

    private Object read(ValueReader r, int depth) {
        switch (r.nextKind()) {
            case NIL:
                r.readNil();
                return null;
            case BOOLEAN:
                return r.readBoolean();
            case INTEGER: {
                long v = r.readLong();
                int i = (int) v;
                return i == v ? (Object) i : (Object) v;
            }
            case FLOAT32:
                return r.readFloat();
            case FLOAT64:
                return r.readDouble();
            case STRING:
                return readString(r);
            case BINARY:
                return r.readBinary();
            case ARRAY:
                return readArray(r, depth);
            default:
                throw new WireException("unsupported value kind", r.position());
        }
    }

    /** A string value; one a Java writer can't have made (a lone surrogate) is malformed. */
    private static String readString(ValueReader r) {
        int at = r.position();
        String s = r.readString();
        int lone = loneSurrogate(s);
        if (lone >= 0) {
            throw new WireException(String.format("a String with a lone surrogate \\u%04X at index %d",
                    (int) s.charAt(lone), lone), at);
        }
        return s;
    }

    private Object readArray(ValueReader r, int depth) {
        int at = r.position();
        if (depth >= MAX_DEPTH) {
            throw new WireException("values nested deeper than " + MAX_DEPTH + " levels", at);
        }
        int n = r.readArrayHeader();
        if (n == 0) {
            throw new WireException("empty array: a tagged value needs a tag", at);
        }
        if (r.nextKind() != ValueKind.INTEGER) {
            throw new WireException("a tagged value must start with an integer tag", r.position());
        }
        int tag = r.readInt();
        return readTagged(tag, n - 1, r, depth + 1, at);
    }

    /**
     * Reads the fields of a tagged value whose array header and tag the caller consumed: ipos-core
     * reads the tag itself, handles its container literals, and passes every other tag here.
     *
     * @param tag        the tag
     * @param fieldCount the array's element count minus one (the tag)
     * @param r          the reader, positioned at the first field
     * @return the value
     * @throws WireException on malformed fields, an unknown tag, or a tag reserved for ipos-core
     */
    public Object readTagged(int tag, int fieldCount, ValueReader r) {
        return readTagged(tag, fieldCount, r, 1, r.position());
    }

    private Object readTagged(int tag, int fieldCount, ValueReader r, int depth, int at) {
        if (TaggedScalars.handles(tag)) {
            return TaggedScalars.read(tag, fieldCount, r, at);
        }
        switch (tag) {
            case Tags.FROZEN_LIST:
                return readList(r, fieldCount, depth);
            case Tags.FROZEN_SET:
                return readSet(r, fieldCount, depth);
            case Tags.FROZEN_MAP:
                return readMap(r, fieldCount, depth, at);
            case Tags.REGISTERED:
                TaggedScalars.fields(tag, fieldCount, 2, at);
                return readRegistered(r, depth);
            default:
                if (tag >= FIRST_EXTERNAL_TAG && tag <= LAST_EXTERNAL_TAG) {
                    throw new WireException("tag " + tag + " is a container literal of ipos-core, not a value", at);
                }
                throw new WireException("unknown value tag " + tag, at);
        }
    }

    private FrozenList<Object> readList(ValueReader r, int n, int depth) {
        Object[] elements = new Object[n];
        for (int i = 0; i < n; i++) {
            elements[i] = read(r, depth);
        }
        return new FrozenList<>(elements);
    }

    private FrozenSet<Object> readSet(ValueReader r, int n, int depth) {
        LinkedHashSet<Object> elements = new LinkedHashSet<>(capacity(n));
        for (int i = 0; i < n; i++) {
            int elementAt = r.position();
            if (r.nextKind() == ValueKind.BINARY) {
                throw new WireException("a byte[] cannot be a set element", elementAt);
            }
            if (!elements.add(read(r, depth))) {
                throw new WireException("set holds a duplicate element", elementAt);
            }
        }
        return new FrozenSet<>(elements);
    }

    private FrozenMap<Object, Object> readMap(ValueReader r, int fieldCount, int depth, int at) {
        if (fieldCount % 2 != 0) {
            throw new WireException("tag " + Tags.describe(Tags.FROZEN_MAP)
                    + " needs an even number of fields, found " + fieldCount, at);
        }
        int n = fieldCount / 2;
        LinkedHashMap<Object, Object> entries = new LinkedHashMap<>(capacity(n));
        for (int i = 0; i < n; i++) {
            int keyAt = r.position();
            if (r.nextKind() == ValueKind.BINARY) {
                throw new WireException("a byte[] cannot be a map key", keyAt);
            }
            Object key = read(r, depth);
            if (entries.containsKey(key)) {
                throw new WireException("map holds a duplicate key", keyAt);
            }
            entries.put(key, read(r, depth));
        }
        return new FrozenMap<>(entries);
    }

    private Object readRegistered(ValueReader r, int depth) {
        String typeName = r.readString();
        Object form = read(r, depth);
        RegisteredType type = registry.find(typeName);
        if (type != null) {
            try {
                Object created = type.create(form);
                registeredCreated++;
                return created;
            } catch (RuntimeException e) {
                // kept as it arrived; resolve() reports the hook's failure
            }
        }
        return new UnresolvedValue(typeName, form, registry);
    }

    private static int capacity(int n) {
        return (int) Math.min((long) (n / 0.75f) + 1, 1 << 30);
    }

    /**
     * Validates a value a user gives and returns its stored, immutable form: scalars as they are;
     * {@code byte[]} copied; maps, lists and sets (nested too) deep-copied into unmodifiable
     * collections that allow null and keep iteration order; registered instances and unresolved
     * values as they are. Collections returned by this codec are already frozen and are returned
     * as they are.
     *
     * @param value the value
     * @return the frozen value
     * @throws IllegalArgumentException if the value or anything in it is not shareable (the message
     *                                  names the type and the fix), a map key or set element is a
     *                                  {@code byte[]}, a String in it has a lone surrogate (see
     *                                  {@link #checkScalar}), or the value is nested deeper than
     *                                  1000 levels
     */
    public Object freeze(Object value) {
        return freeze(value, 0);
    }

    private Object freeze(Object value, int depth) {
        if (value == null) {
            return null;
        }
        BuiltinType type = BuiltinType.of(value);
        if (type.scalar) {
            return type == BuiltinType.STRING || type == BuiltinType.URI ? checkScalar(value) : value;
        }
        switch (type) {
            case BYTES:
                return ((byte[]) value).clone();
            case UNRESOLVED:
            case FROZEN_LIST:
            case FROZEN_SET:
            case FROZEN_MAP:
                return value;
            default:
                break;
        }
        if (registry.find(value.getClass()) != null) {
            return value;
        }
        if (depth >= MAX_DEPTH) {
            throw new IllegalArgumentException(ShareErrors.tooDeep());
        }
        if (value instanceof List) {
            Object[] elements = ((List<?>) value).toArray();
            if (elements.length == 0) {
                return FrozenList.EMPTY;
            }
            for (int i = 0; i < elements.length; i++) {
                elements[i] = freeze(elements[i], depth + 1);
            }
            return new FrozenList<>(elements);
        }
        if (value instanceof Set) {
            Set<?> set = (Set<?>) value;
            LinkedHashSet<Object> elements = new LinkedHashSet<>(capacity(set.size()));
            for (Object e : set) {
                elements.add(freezeKey(e, depth + 1, "a set element"));
            }
            return new FrozenSet<>(elements);
        }
        if (value instanceof Map) {
            Map<?, ?> map = (Map<?, ?>) value;
            LinkedHashMap<Object, Object> entries = new LinkedHashMap<>(capacity(map.size()));
            for (Map.Entry<?, ?> e : map.entrySet()) {
                entries.put(freezeKey(e.getKey(), depth + 1, "a map key"), freeze(e.getValue(), depth + 1));
            }
            return new FrozenMap<>(entries);
        }
        throw new IllegalArgumentException(ShareErrors.notShareable(value.getClass()));
    }

    private Object freezeKey(Object key, int depth, String role) {
        if (key instanceof byte[]) {
            throw new IllegalArgumentException(ShareErrors.byteArrayKey(role));
        }
        return freeze(key, depth);
    }
}
