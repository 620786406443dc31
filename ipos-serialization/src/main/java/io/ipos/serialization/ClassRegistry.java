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
 * <p>Nothing is ever instantiated from a name on the wire unless a class is registered under that
 * name here, in the receiving process. A registered class travels as its <em>wire name</em> and a
 * serialized form. The wire name is {@link Class#getName()}, or the alias given at registration
 * (with {@link #register(Class, String)} and {@link #register(Class, String, Function, Function)}):
 * an alias keeps the wire stable when a class is renamed or moved, and lets a peer in another
 * language use a short name. Sender and receiver must register a class under the same wire name.
 * The form is:
 * <ul>
 *   <li>a record: the list of its components, rebuilt with its canonical constructor;</li>
 *   <li>an enum: the constant's {@link Enum#name()};</li>
 *   <li>a class with hooks: what its instance method {@code serialize()} (or {@code stringify()})
 *       returns, rebuilt with its static {@code from(x)}; or what explicit functions do, given
 *       with {@link #register(Class, Function, Function)};</li>
 *   <li>a plain Java bean (no hooks, a no-arg constructor and getter/setter pairs): the map of its
 *       properties (name to value, in name order) as Jackson databind finds them, rebuilt with the
 *       no-arg constructor and the setters. Databind is loaded when a bean is first mapped, not
 *       before.</li>
 * </ul>
 * Hook methods, constructors and bean accessors may have any access; they are reached by
 * reflection. A class in a named module must open its package to {@code io.ipos.serialization}.
 *
 * <p>Each wire name belongs to one class: registering a second class under a taken name fails.
 * Registering a class again replaces its registration, wire name included.
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
     * Registers, under its class name, a record, an enum, a class with hook methods (an instance
     * method {@code serialize()} or {@code stringify()}, public or not, and a static {@code from(x)}
     * taking one parameter: {@code Object}, {@code String}, {@code Map}, {@code List}, ... whatever
     * the serialized form is), or a plain Java bean (no hooks, a no-arg constructor and at least one
     * getter/setter pair). Registering a class again replaces its registration.
     *
     * @param type the class
     * @throws IllegalArgumentException if {@code type} is a built-in value type, an interface,
     *                                  an abstract class, an array or a primitive; if it is none of
     *                                  the above (the message says what it lacks and suggests
     *                                  {@link #register(Class, Function, Function)}); if its
     *                                  package is not open to ipos; or if a different class is
     *                                  registered under its class name
     * @throws NullPointerException     if {@code type} is null
     */
    public void register(Class<?> type) {
        Class<?> c = enumOf(Objects.requireNonNull(type, "type"));
        register(c, c.getName());
    }

    /**
     * Registers a class as {@link #register(Class)} does, under a wire name of the caller's choice
     * instead of its class name. The receiving process must register the class under the same alias.
     *
     * @param type  the class
     * @param alias the wire name, for example {@code "point"} or {@code "com.acme.Point/v2"}
     * @throws IllegalArgumentException as {@link #register(Class)}; also if {@code alias} is blank,
     *                                  or a different class is registered under it
     * @throws NullPointerException     if an argument is null
     */
    public void register(Class<?> type, String alias) {
        Class<?> c = enumOf(Objects.requireNonNull(type, "type"));
        String wireName = checkAlias(alias);
        checkRegistrable(c);
        RegisteredType registered;
        if (c.isRecord()) {
            registered = RecordType.of(c, wireName);
        } else if (c.isEnum()) {
            registered = new EnumType(c, wireName);
        } else if (HookType.hasNoHooks(c) && BeanType.looksLikeBean(c)) {
            registered = new BeanType(c, wireName);
        } else {
            registered = HookType.discover(c, wireName);
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
    public <T> void register(Class<T> type, Function<? super T, ?> serialize, Function<Object, ? extends T> from) {
        register(type, enumOf(Objects.requireNonNull(type, "type")).getName(), serialize, from);
    }

    /**
     * Registers a class with explicit functions, as {@link #register(Class, Function, Function)}
     * does, under a wire name of the caller's choice instead of its class name.
     *
     * @param type      the class
     * @param alias     the wire name
     * @param serialize turns an instance into its serialized form, any shareable value
     * @param from      turns a serialized form back into an instance
     * @param <T>       the class
     * @throws IllegalArgumentException if {@code type} is a built-in value type, an interface,
     *                                  an array or a primitive, {@code alias} is blank, or a
     *                                  different class is registered under it
     * @throws NullPointerException     if an argument is null
     */
    @SuppressWarnings("unchecked")
    public <T> void register(Class<T> type, String alias, Function<? super T, ?> serialize,
                             Function<Object, ? extends T> from) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(serialize, "serialize");
        Objects.requireNonNull(from, "from");
        Class<?> c = enumOf(type);
        String wireName = checkAlias(alias);
        checkRegistrable(c);
        put(new HookType(c, wireName, (Function<Object, ?>) serialize, from, "the from function"));
    }

    /**
     * Returns the name a registered class travels under: its class name, or its alias.
     *
     * @param type the class
     * @return the wire name, or {@code null} if the class is not registered
     * @throws NullPointerException if {@code type} is null
     */
    public String wireName(Class<?> type) {
        RegisteredType t = find(Objects.requireNonNull(type, "type"));
        return t == null ? null : t.wireName;
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
            String other = sameName.type.getName().equals(registered.type.getName())
                    ? "the class of the same name from " + sameName.type.getClassLoader() + " (this one is from "
                    + registered.type.getClassLoader() + ")"
                    : sameName.type.getName();
            throw new IllegalArgumentException("cannot register " + registered.type.getName()
                    + ": a different class with the wire name " + registered.wireName + " is already registered: "
                    + other + "; register one of them under another alias with register(type, alias)");
        }
        RegisteredType previous = byClass.put(registered.type, registered);
        byName.put(registered.wireName, registered);
        if (previous != null && !previous.wireName.equals(registered.wireName)) {
            byName.remove(previous.wireName, previous);
        }
    }

    private static String checkAlias(String alias) {
        Objects.requireNonNull(alias, "alias");
        if (alias.isBlank()) {
            throw new IllegalArgumentException("alias is blank: '" + alias + "'");
        }
        return alias;
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
