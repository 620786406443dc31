package io.ipos.serialization;

import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Process-wide allow-list of the classes whose instances may travel as values.
 *
 * <p>Nothing is ever instantiated from a class name on the wire unless that class is registered
 * here, in the receiving process. A registered class travels as its wire name (for now
 * {@link Class#getName()}) and a serialized form:
 * <ul>
 *   <li>a record: the list of its components, rebuilt with its canonical constructor;</li>
 *   <li>an enum: the constant's {@link Enum#name()};</li>
 *   <li>any other class: what its instance method {@code serialize()} (or {@code stringify()})
 *       returns, rebuilt with its static {@code from(x)}; or what explicit functions do, given
 *       with {@link #register(Class, Function, Function)}.</li>
 * </ul>
 * Hook methods may have any access; they are reached by reflection. A class in a named module
 * must open its package to {@code io.ipos.serialization}.
 *
 * <p>Thread-safe: registration may race with encoding and decoding on other threads.
 */
public final class ClassRegistry {
    private static final ClassRegistry GLOBAL = new ClassRegistry();

    private final Map<Class<?>, RegisteredType> byClass = new ConcurrentHashMap<>();
    private final Map<String, RegisteredType> byName = new ConcurrentHashMap<>();

    /** Creates an empty registry, independent of {@link #global()} (for tests and tools). */
    public ClassRegistry() {
    }

    /**
     * Returns the registry of this process, the one {@code IPOS.registerClass} fills.
     *
     * @return the process-wide registry
     */
    public static ClassRegistry global() {
        return GLOBAL;
    }

    /**
     * Registers a record, an enum, or a class with hook methods: an instance method
     * {@code serialize()} or {@code stringify()} (public or not) and a static {@code from(x)}
     * taking one parameter ({@code Object}, {@code String}, {@code Map}, {@code List}, ... whatever
     * the serialized form is). Registering a class again replaces its hooks.
     *
     * @param type the class
     * @throws IllegalArgumentException if {@code type} is a built-in value type, an interface,
     *                                  an abstract class, an array or a primitive; if it lacks hooks
     *                                  (the message says which and suggests
     *                                  {@link #register(Class, Function, Function)}); if its
     *                                  package is not open to ipos; or if a different class with the
     *                                  same wire name is registered
     * @throws NullPointerException     if {@code type} is null
     */
    public void register(Class<?> type) {
        Class<?> c = enumOf(Objects.requireNonNull(type, "type"));
        checkRegistrable(c);
        RegisteredType registered;
        if (c.isRecord()) {
            registered = RecordType.of(c);
        } else if (c.isEnum()) {
            registered = new EnumType(c);
        } else {
            registered = HookType.discover(c);
        }
        put(registered);
    }

    /**
     * Registers a class with explicit functions, which take precedence over anything the class
     * declares (records and enums included). Registering a class again replaces its functions.
     *
     * @param type      the class
     * @param serialize turns an instance into its serialized form, any shareable value
     * @param from      turns a serialized form back into an instance
     * @param <T>       the class
     * @throws IllegalArgumentException if {@code type} is a built-in value type, an interface,
     *                                  an array or a primitive, or a different class with the same
     *                                  wire name is registered
     * @throws NullPointerException     if an argument is null
     */
    @SuppressWarnings("unchecked")
    public <T> void register(Class<T> type, Function<? super T, ?> serialize, Function<Object, ? extends T> from) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(serialize, "serialize");
        Objects.requireNonNull(from, "from");
        Class<?> c = enumOf(type);
        checkRegistrable(c);
        put(new HookType(c, (Function<Object, ?>) serialize, from, "the from function"));
    }

    /**
     * Tells whether instances of a class may travel as values. A constant of an enum with a body
     * counts as its enum.
     *
     * @param type the class
     * @return {@code true} if it is registered
     * @throws NullPointerException if {@code type} is null
     */
    public boolean isRegistered(Class<?> type) {
        return find(Objects.requireNonNull(type, "type")) != null;
    }

    RegisteredType find(Class<?> type) {
        RegisteredType t = byClass.get(type);
        if (t == null && type.getSuperclass() != null && type.getSuperclass().isEnum()) {
            t = byClass.get(type.getSuperclass());
        }
        return t;
    }

    RegisteredType find(String wireName) {
        return byName.get(wireName);
    }

    private synchronized void put(RegisteredType registered) {
        RegisteredType sameName = byName.get(registered.wireName);
        if (sameName != null && sameName.type != registered.type) {
            throw new IllegalArgumentException("cannot register " + registered.type.getName() + " of "
                    + registered.type.getClassLoader() + ": a different class with the wire name "
                    + registered.wireName + " is already registered, from " + sameName.type.getClassLoader());
        }
        byClass.put(registered.type, registered);
        byName.put(registered.wireName, registered);
    }

    /** An enum constant with a body has a class of its own; registration is for the enum. */
    private static Class<?> enumOf(Class<?> type) {
        Class<?> parent = type.getSuperclass();
        return parent != null && parent.isEnum() ? parent : type;
    }

    private static void checkRegistrable(Class<?> type) {
        String reason = null;
        if (type.isPrimitive()) {
            reason = "a primitive type; its boxed values are shared as they are";
        } else if (type.isArray()) {
            reason = "an array; share a List or a byte[] instead";
        } else if (BuiltinType.of(type) != BuiltinType.OTHER) {
            reason = "a built-in value type; it is shared without registration";
        } else if (type.isInterface()) {
            reason = "an interface; register the concrete classes";
        } else if (Modifier.isAbstract(type.getModifiers()) && !type.isEnum()) {
            reason = "an abstract class; register the concrete classes";
        } else if (type.getClassLoader() == null && (Collection.class.isAssignableFrom(type)
                || Map.class.isAssignableFrom(type))) {
            reason = "a JDK collection; maps, lists and sets are shared without registration";
        }
        if (reason != null) {
            throw new IllegalArgumentException("cannot register " + type.getName() + ": it is " + reason);
        }
    }
}
