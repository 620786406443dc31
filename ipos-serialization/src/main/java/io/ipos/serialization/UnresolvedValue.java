package io.ipos.serialization;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A value of a registered class, received while its class was not registered in this process
 * (or while its {@code from()} hook failed on the form).
 *
 * <p>It is kept losslessly: writing it re-emits {@code [30, typeName, form]}, the same bytes that
 * arrived, so a process that does not know the class can still hold and relay it. Once the class
 * is registered, {@link #resolve()} builds the instance.
 *
 * <p>Immutable and thread-safe; two are equal when their type names and forms are (a {@code byte[]}
 * in a form compares by content, {@link ValueCodec#sameValue}).
 */
public final class UnresolvedValue {
    private final String typeName;
    private final Object form;
    private final ClassRegistry registry;
    private volatile Object resolved;

    UnresolvedValue(String typeName, Object form, ClassRegistry registry) {
        this.typeName = typeName;
        this.form = form;
        this.registry = registry;
    }

    /**
     * Returns the wire name of the class: its {@link Class#getName()} in the sender, or the alias
     * the sender registered it under.
     *
     * @return the wire name
     */
    public String typeName() {
        return typeName;
    }

    /**
     * Returns the serialized form as decoded: frozen collections, built-in values, instances of
     * registered classes and other unresolved values.
     *
     * @return the form
     */
    public Object form() {
        return form;
    }

    /**
     * Builds the instance with the hooks now registered for {@link #typeName()}, after resolving
     * any unresolved values nested in the form. A successful result is cached.
     *
     * @return the instance
     * @throws IllegalStateException if the class (or a class nested in the form) is still not
     *                               registered, or its {@code from()} hook fails; the hook's exception
     *                               is the cause
     */
    public Object resolve() {
        Object r = resolved;
        if (r != null) {
            return r;
        }
        RegisteredType type = registry.find(typeName);
        if (type == null) {
            if (!looksLikeClassName(typeName)) {
                throw new IllegalStateException("received a value under the wire name '" + typeName
                        + "', which no class is registered under in this process: register its class with that"
                        + " alias, ClassRegistry.register(type, \"" + typeName + "\"), before reading it");
            }
            throw new IllegalStateException("received a value of class " + typeName
                    + ", which is not registered in this process: call IPOS.registerClass(" + typeName
                    + ".class) (or the registerClass(type, serialize, from) overload) before reading it");
        }
        Object resolvedForm = resolveNested(form);
        try {
            r = type.create(resolvedForm);
        } catch (RuntimeException e) {
            throw new IllegalStateException("received a value of class " + typeName
                    + " that its from() hook could not rebuild: " + e, e);
        }
        resolved = r;
        return r;
    }

    /**
     * Whether a wire name looks like a Java binary class name in a package (dotted identifiers,
     * nested classes after '$'); anything else is taken for an alias.
     */
    static boolean looksLikeClassName(String name) {
        if (name.indexOf('.') < 0 || name.length() > 1000) {
            return false;
        }
        boolean start = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '.') {
                if (start) {
                    return false;
                }
                start = true;
            } else if (start ? Character.isJavaIdentifierStart(c) : Character.isJavaIdentifierPart(c)) {
                start = false;
            } else {
                return false;
            }
        }
        return !start;
    }

    private static Object resolveNested(Object value) {
        if (value instanceof UnresolvedValue) {
            return ((UnresolvedValue) value).resolve();
        }
        if (value instanceof FrozenList) {
            List<?> list = (List<?>) value;
            Object[] elements = new Object[list.size()];
            for (int i = 0; i < elements.length; i++) {
                elements[i] = resolveNested(list.get(i));
            }
            return new FrozenList<>(elements);
        }
        if (value instanceof FrozenSet) {
            LinkedHashSet<Object> elements = new LinkedHashSet<>();
            for (Object e : (Set<?>) value) {
                elements.add(resolveNested(e));
            }
            return new FrozenSet<>(elements);
        }
        if (value instanceof FrozenMap) {
            LinkedHashMap<Object, Object> entries = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                entries.put(resolveNested(e.getKey()), resolveNested(e.getValue()));
            }
            return new FrozenMap<>(entries);
        }
        return value;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof UnresolvedValue)) {
            return false;
        }
        UnresolvedValue other = (UnresolvedValue) o;
        return typeName.equals(other.typeName) && ValueCodec.sameValue(form, other.form);
    }

    @Override
    public int hashCode() {
        return 31 * typeName.hashCode() + ValueCodec.valueHash(form);
    }

    @Override
    public String toString() {
        return "<unresolved " + typeName + ">";
    }
}
