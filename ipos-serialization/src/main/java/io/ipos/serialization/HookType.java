package io.ipos.serialization;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A class with a serialize function and a from function: either found by reflection (an instance
 * {@code serialize()} or {@code stringify()} and a static {@code from(x)}), or given explicitly.
 */
final class HookType extends RegisteredType {
    private static final MethodType OBJECT_TO_OBJECT = MethodType.methodType(Object.class, Object.class);

    private final Function<Object, ?> serializer;
    private final Function<Object, ?> factory;
    private final String fromName;

    HookType(Class<?> type, String wireName, Function<Object, ?> serializer, Function<Object, ?> factory,
             String fromName) {
        super(type, wireName);
        this.serializer = serializer;
        this.factory = factory;
        this.fromName = fromName;
    }

    /** Finds the hook methods of {@code type}, or explains what it lacks. */
    static HookType discover(Class<?> type, String wireName) {
        Method serialize = findSerializer(type, "serialize");
        if (serialize == null) {
            serialize = findSerializer(type, "stringify");
        }
        List<Method> froms = findFroms(type);
        String name = type.getName();
        String fix = "; add it, or pass explicit functions with register(" + sourceName(type)
                + ".class, serialize, from)";
        if (serialize == null && froms.isEmpty()) {
            throw new IllegalArgumentException("cannot register " + name + ": it is not a record, an enum or a "
                    + "Java bean (a no-arg constructor and getter/setter pairs), and it has no serialize() or "
                    + "stringify() instance method and no static from(x) method"
                    + "; add them, or pass explicit functions with register(" + sourceName(type)
                    + ".class, serialize, from)");
        }
        if (serialize == null) {
            throw new IllegalArgumentException("cannot register " + name + ": it has a static from(x) but no "
                    + "serialize() or stringify() instance method" + fix);
        }
        if (froms.isEmpty()) {
            throw new IllegalArgumentException("cannot register " + name + ": it has " + serialize.getName()
                    + "() but no static from(x) method taking one parameter" + fix);
        }
        Method from = chooseFrom(type, froms, serialize.getReturnType());
        MethodHandle serializeHandle = Access.unreflect(type, serialize).asType(OBJECT_TO_OBJECT);
        MethodHandle fromHandle = Access.unreflect(type, from).asType(OBJECT_TO_OBJECT);
        return new HookType(type, wireName, value -> invoke(serializeHandle, value), form -> invoke(fromHandle, form),
                "from(" + from.getParameterTypes()[0].getSimpleName() + ")");
    }

    @Override
    Object serialize(Object instance) {
        return serializer.apply(instance);
    }

    @Override
    Object create(Object form) {
        return checkCreated(factory.apply(form), fromName);
    }

    private static Object invoke(MethodHandle handle, Object argument) {
        try {
            return (Object) handle.invokeExact(argument);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t.toString(), t);
        }
    }

    /** Whether {@code type} has neither a serialize()/stringify() method nor a static from(x). */
    static boolean hasNoHooks(Class<?> type) {
        return findSerializer(type, "serialize") == null && findSerializer(type, "stringify") == null
                && findFroms(type).isEmpty();
    }

    private static Method findSerializer(Class<?> type, String name) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals(name) && m.getParameterCount() == 0 && !m.isSynthetic()
                        && !Modifier.isStatic(m.getModifiers()) && m.getReturnType() != void.class) {
                    return m;
                }
            }
        }
        try {
            Method m = type.getMethod(name);
            return Modifier.isStatic(m.getModifiers()) || m.getReturnType() == void.class ? null : m;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static List<Method> findFroms(Class<?> type) {
        List<Method> froms = new ArrayList<>();
        for (Method m : type.getDeclaredMethods()) {
            Class<?> returned = m.getReturnType();
            if (m.getName().equals("from") && m.getParameterCount() == 1 && !m.isSynthetic()
                    && Modifier.isStatic(m.getModifiers())
                    && (type.isAssignableFrom(returned) || returned.isAssignableFrom(type))) {
                froms.add(m);
            }
        }
        return froms;
    }

    /**
     * With several {@code from(x)} overloads, takes the one whose parameter is the type
     * {@code serialize()} returns, else the only one that accepts it.
     */
    private static Method chooseFrom(Class<?> type, List<Method> froms, Class<?> formType) {
        if (froms.size() == 1) {
            return froms.get(0);
        }
        Class<?> boxed = MethodType.methodType(formType).wrap().returnType();
        List<Method> accepting = new ArrayList<>();
        for (Method m : froms) {
            Class<?> parameter = MethodType.methodType(m.getParameterTypes()[0]).wrap().returnType();
            if (parameter == boxed) {
                return m;
            }
            if (parameter.isAssignableFrom(boxed)) {
                accepting.add(m);
            }
        }
        if (accepting.size() == 1) {
            return accepting.get(0);
        }
        throw new IllegalArgumentException("cannot register " + type.getName() + ": it has " + froms.size()
                + " static from(x) methods and none takes exactly what serialize returns ("
                + formType.getName() + "); keep one, or pass explicit functions with register("
                + sourceName(type) + ".class, serialize, from)");
    }

    /** The name to write before {@code .class} in source code. */
    static String sourceName(Class<?> type) {
        String canonical = type.getCanonicalName();
        return canonical != null ? canonical : type.getName();
    }
}
